// The demo's five routes through a lifecycle, driven by the case system's client; shared by the demo
// (npm start) and the benchmark's demo mode, so both exercise the same load.
import type { CaseClient } from '../client';
import type { ApplicationInput } from '../shared';

export type DemoPath = 'approve' | 'interagency' | 'correction' | 'cancel' | 'refuse';
export const DEMO_PATHS: DemoPath[] = ['approve', 'interagency', 'correction', 'cancel', 'refuse'];

export const DEMO_REFUSAL_GROUNDS = [
  { code: 'missing-documents', facts: { missingDocuments: ['положительное заключение экспертизы проектной документации'] } },
  { code: 'gpzu-noncompliance', facts: { parameter: 'максимальный процент застройки', designValue: '62 %', permittedValue: 'не более 50 %' } },
];

/** Stores the result document for a case (documents/resultDocuments.ts) and returns its reference. */
export type ResultDocumentSource = (applicationNumber: string) => Promise<{ documentId: string; sha256: string }>;

export async function driveDemoPath(cases: CaseClient, app: ApplicationInput, route: DemoPath, resultDocument?: ResultDocumentSource): Promise<void> {
  const no = app.applicationNumber;
  const clerk = app.assignedClerk ?? 'ivanova';
  await cases.startApplication(app);
  await cases.act(no, 'register', { clerk });
  if (route === 'cancel') return cases.applicantCancelled(no, { reason: 'Заявитель отозвал заявление' });
  await cases.act(no, 'startReview', { clerk });
  if (route === 'interagency') {
    await cases.act(no, 'requestInteragency', { clerk, agencies: ['Росреестр'] });
    await cases.act(no, 'recordInteragencyAnswer', { clerk, agency: 'Росреестр' });
  }
  if (route === 'refuse') {
    // The letter is rendered and stored with the draft; status 4 goes out only after it, with the letter attached.
    await cases.act(no, 'draftDecision', { clerk, outcome: 'refuse', grounds: DEMO_REFUSAL_GROUNDS });
    await cases.act(no, 'refuse', { clerk: 'head-smirnov' });
    return;
  }
  if (route === 'correction') {
    await cases.act(no, 'requestFromApplicant', { clerk, kind: 'correction', note: 'Уточните адрес объекта' });
    await cases.applicantResponded(no, { note: 'Адрес уточнён' });
  }
  await cases.act(no, 'draftDecision', { clerk, outcome: 'approve' });
  await cases.act(no, 'approve', { clerk: 'head-smirnov' });
  // The result document travels to the cabinet with status 3: the Update carries its reference, not its bytes.
  await cases.act(no, 'issueResult', { clerk, ...(resultDocument ? { document: await resultDocument(no) } : {}) });
}
