// Every command the CLI has, in the order --help lists them: adding one is one line here.
import type { Command } from './command.js';
import { balance } from './commands/balance.js';
import { cancel } from './commands/cancel.js';
import { grant } from './commands/grant.js';
import { key } from './commands/key.js';
import { result } from './commands/result.js';
import { status } from './commands/status.js';
import { submit } from './commands/submit.js';
import { watch } from './commands/watch.js';
import { worker } from './commands/worker.js';

export const COMMANDS: readonly Command[] = [submit, status, watch, result, cancel, balance, grant, key, worker];
