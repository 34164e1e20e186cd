// Public entry of inbox/: what other rooms use.
export { inboxPluginFromConfig } from './config';
