// Bundle entry for the bench's lifecycle worker: the production workflows unchanged, plus the timer probe
// (it must run on the same worker and task queue as the open cases to feel their load).
export * from '../workflows';
export { timerProbe } from './timerProbeWorkflow';
