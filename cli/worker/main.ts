// Entry for running the headless worker directly (`tsx cli/worker/main.ts …`); the CLI's
// `worker` command calls runWorker the same way.
import { runWorker } from './run-worker.js';

process.exitCode = await runWorker(process.argv.slice(2));
