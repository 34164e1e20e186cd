// Public entry of metrics/: what other rooms use.
export { metricsPluginFromEnv } from './config';
export { DEFAULT_TEMPORAL_METRICS_ADDRESS, temporalMetricsAddress, temporalMetricsTelemetry } from './temporalRuntime';
