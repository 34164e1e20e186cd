// The department's services: bundled definitions in services/*.json, plus any folder the department adds
// (CASE_SERVICES_DIR). Every file is validated at start-up; a bad file stops the worker with its name and field.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_ELK_STATUS_BY_STAGE, ServiceDefinition, ServiceDefinitionSchema, ServiceProfile } from './serviceProfile';
import { InputValidationError, problemsOf } from '../shared';

export class ServiceRegistry {
  private readonly byCode = new Map<string, ServiceDefinition>();

  constructor(definitions: ServiceDefinition[]) {
    for (const d of definitions) {
      if (this.byCode.has(d.code)) throw new Error(`Service ${d.code} is defined twice (услуга определена дважды)`);
      this.byCode.set(d.code, d);
    }
  }

  static load(extraDirs: string[] = []): ServiceRegistry {
    const dirs = [__dirname, ...extraDirs];
    const defs: ServiceDefinition[] = [];
    for (const dir of dirs) {
      for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
        const full = path.join(dir, file);
        let json: unknown;
        try {
          json = JSON.parse(fs.readFileSync(full, 'utf8'));
        } catch (e) {
          throw new InputValidationError(`service definition ${full}`, [{ field: '', rule: `не JSON (not JSON): ${(e as Error).message}` }]);
        }
        const result = ServiceDefinitionSchema.safeParse(json);
        if (!result.success) throw new InputValidationError(`service definition ${full}`, problemsOf(result.error));
        defs.push(result.data);
      }
    }
    return new ServiceRegistry(defs);
  }

  codes(): string[] {
    return [...this.byCode.keys()];
  }

  has(code: string): boolean {
    return this.byCode.has(code);
  }

  get(code: string): ServiceDefinition | undefined {
    return this.byCode.get(code);
  }

  profile(code: string, elkRetryMaxIntervalMs: number, searchAttributes = true): ServiceProfile | undefined {
    const d = this.byCode.get(code);
    if (!d) return undefined;
    return {
      code: d.code,
      title: d.title,
      serviceTargetCode: d.serviceTargetCode,
      elkStatusByStage: { ...DEFAULT_ELK_STATUS_BY_STAGE, ...d.elkStatusByStage },
      awaitingApplicantStatus: d.awaitingApplicantStatus,
      elkStatusOnApplicantResponse: d.elkStatusOnApplicantResponse,
      termStartsAt: d.regulation.termStart.from,
      elkRetryMaxIntervalMs,
      suspendingStages: d.regulation.suspendingStages,
      stagesWithTerms: Object.keys(d.regulation.stageTerms) as ServiceProfile['stagesWithTerms'],
      searchAttributes,
    };
  }
}
