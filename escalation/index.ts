// Escalation rungs as tasks for people: directory, notifiers, activities, task board and operator views.
export * from './directory';
export * from './notifier';
export * from './texts';
export * from './escalationActivities';
export * from './taskBoard';
export * from './visibility';
