// The service profile lives in services/ (it needs the calendar's and the ladder's schemas, which shared/ must
// not import). This type-only entry stays for workflows/applicationLifecycle.ts until that file imports it from
// services/.
export type { ServiceProfile } from '../services';
