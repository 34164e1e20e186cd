// The verdict on one fault-matrix row: a row passes only if every fault it declares was injected at least as
// often as required, while work was in flight, nothing crashed on its own, and every applicant's cabinet holds
// exactly the statuses of the path, once and in order. Pure, so the matrix's own rules are unit-tested.

/** Fault kinds a row can require, e.g. { 'worker SIGKILL': 2 }. Counts are injections made while cases ran. */
export type FaultCounts = Record<string, number>;

export interface RowOutcome {
  fault: string;
  apps: number;
  started: number;
  finished: number;
  expected: number;
  delivered: number;
  duplicates: number;
  required: FaultCounts;
  injected: FaultCounts;
  /** Set when the fault driver itself threw (the fault may not have happened as declared). */
  chaosError?: string;
  /** Processes that exited without the matrix killing them, during this row. */
  unexpectedExits: string[];
  /** Per-application findings (lost, doubled, stuck with its pending activity). */
  problems: string[];
  /**
   * Workflow tasks the worker failed with a nondeterminism error ([TMPRL1100]) during this row: a history its
   * own code cannot replay. Every status may still arrive, but such a case can no longer be queried or moved on.
   */
  nondeterminism?: number;
}

export interface Verdict {
  ok: boolean;
  reasons: string[];
}

export function injectedVsRequired(required: FaultCounts, injected: FaultCounts): string {
  const kinds = Object.keys(required);
  if (kinds.length === 0) return 'no fault required';
  return kinds.map((k) => `${k} ${injected[k] ?? 0}/${required[k]}`).join(', ');
}

export function judgeRow(row: RowOutcome): Verdict {
  const reasons: string[] = [];
  for (const [kind, need] of Object.entries(row.required)) {
    const got = row.injected[kind] ?? 0;
    if (got < need) reasons.push(`fault not proven: ${kind} injected ${got}, required ${need}`);
  }
  if (row.chaosError) reasons.push(`chaos failed: ${row.chaosError}`);
  if (row.unexpectedExits.length) reasons.push(`unexpected process exits: ${row.unexpectedExits.join('; ')}`);
  if (row.started !== row.apps) reasons.push(`${row.apps - row.started} of ${row.apps} applications not started`);
  if (row.finished !== row.started) reasons.push(`${row.started - row.finished} applications not finished`);
  if (row.delivered !== row.expected) reasons.push(`${row.expected - row.delivered} statuses missing`);
  if (row.duplicates !== 0) reasons.push(`${row.duplicates} statuses doubled or out of order`);
  if (row.problems.length) reasons.push(`${row.problems.length} problems listed below`);
  if (row.nondeterminism) reasons.push(`${row.nondeterminism} nondeterminism errors ([TMPRL1100]) in the worker log: a history does not replay`);
  return { ok: reasons.length === 0, reasons };
}
