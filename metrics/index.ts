// Public entry of metrics/: what other rooms use.
export { metricsPluginFromEnv } from './config';
export { temporalMetricsAddress, temporalMetricsTelemetry } from './temporalRuntime';
