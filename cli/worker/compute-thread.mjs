// One compute thread of the headless worker: registers tsx in this thread (loader hooks do not
// cross into worker threads) and runs the thread's TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./compute-thread-body.ts');
