// What a department embeds: the plugin; and what the standalone worker is built from: configuration and runtime.
export { CaseLifecyclePlugin, WORKFLOWS_PATH, type CaseLifecyclePluginOptions } from './plugin';
export { createWorkerRuntime, ensureSchedules, runtimeOptionsFromConfig, type WorkerRuntime, type WorkerRuntimeOptions } from './runtime';
export { loadWorkerConfig, WorkerConfigSchema, type WorkerConfig } from './config';
export { demoTokens, serveHttpApi, SERVED_PLUGINS, type RunningHttpApi } from './httpServer';
export { deployedRuntimeOptions } from './deployedRuntimeOptions';
export { bundleWorkflows, workflowBundlerOptions, type WorkflowStackTraces } from './workflowBundle';
