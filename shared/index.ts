// Public entry of shared/ for every room but workflows/: the zod schemas and types of every boundary. Workflow code
// imports the files it needs one by one (the sandbox bundle stays small and zod-free where it can); the zod-free
// validators those files are built from (guards.ts) are the sandbox's own and not exported here.
export * from './application';
export * from './clerkActionRules';
export * from './clerkActions';
export * from './elkStatusMapping';
export * from './elkStatusNames';
export * from './feedback';
export * from './feedbackRules';
export * from './identifiers';
export * from './instant';
export * from './lawfulDates';
export * from './lifecycle';
export * from './names';
export * from './plainText';
export * from './plainTextRules';
export * from './stages';
export * from './validation';
export * from './validationTypes';
