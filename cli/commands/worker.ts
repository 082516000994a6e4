import type { RawCommand } from '../command.js';
import { runWorker } from '../worker/run-worker.js';

/** `mycelia worker …`: the headless contributor (cli/worker/), which parses its own flags. */
export const worker: RawCommand = {
	name: 'worker',
	summary: "contribute this machine's CPU cores (headless worker)",
	runRaw: (argv) => runWorker(argv)
};
