// Public entry of client/: what a case system uses to start applications, act on them and read them.
export * from './caseClient';
