// worker/main.ts with the masking Runtime logger installed first (CASE_LOG_FILE, CASE_LOG_LEVEL). Once
// worker/main.ts installs it itself, this stays valid: the second install is a no-op.
import { installMaskedRuntimeLogger } from '../../../security/logger';

installMaskedRuntimeLogger();
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../../../worker/main');
