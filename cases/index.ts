// The case list: the `applications` projection read with filters and keyset pages (HTTP GET /cases, the
// operator's `npm run cases -- list`). Reads only; the projection is written by activities/caseRecords.ts.
export * from './caseListFilter';
export * from './caseList';
