// The runtime options of a deployed worker: the configuration's, plus the four addresses worker/main.ts requires
// (it checks them first and names what is missing, so the assertions below hold).
import { parseCodecKeys } from '../codec';
import type { WorkerConfig } from './config';
import { runtimeOptionsFromConfig, type WorkerRuntimeOptions } from './runtime';

export function deployedRuntimeOptions(config: WorkerConfig): WorkerRuntimeOptions {
  return {
    ...runtimeOptionsFromConfig(config, parseCodecKeys(config.CASE_PAYLOAD_KEYS!, config.CASE_PAYLOAD_KEY_ACTIVE)),
    temporalAddress: config.TEMPORAL_ADDRESS!,
    databaseUrl: config.DATABASE_URL!,
    smevAdapterUrl: config.SMEV_ADAPTER_URL!,
    smevExchangeDir: config.SMEV_EXCHANGE_DIR!,
  };
}
