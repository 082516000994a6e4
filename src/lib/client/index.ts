// `mycelia/client`: Mycelia for programs (see README, "From a program").
export { Mycelia, Job, MyceliaError, checkSpec, type ConnectOptions, type JobResult, type Progress } from './mycelia.js';
export { checkEvidence, checkTask, type EvidenceCheck, type TaskCheck } from './check-evidence.js';
export { exportBackup, importBackup, identityOf, loadKeyFile, newIdentity, saveKeyFile, KeyFileError, type Identity } from './key-file.js';
