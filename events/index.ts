// Public entry of events/: what other rooms use.
export { eventDispatcherConfigFromEnv } from './config';
export { type EventDispatcherConfig, createEventDispatcher } from './dispatcher';
