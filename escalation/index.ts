// The escalation ladder end to end: roles, the ladder (config and scheduling), directory, notifiers, the
// activities that fire a rung, the task board and operator views.
export * from './roles';
export * from './ladder';
export * from './directory';
export * from './notifier';
export * from './texts';
export * from './escalationActivities';
export * from './taskBoard';
export * from './visibility';
