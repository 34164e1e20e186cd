// Workflow entry point for the bundler: everything exported here runs in the deterministic sandbox.
export * from './applicationLifecycle';
export * from './weeklyComplianceReport';
export * from './applicantFeedback';
