// The body of a compute thread: tasks from the pool computed on the kernels' CPU twins (the
// compute registry), one at a time; a cancel aborts the task in flight (the twins yield often).
import { parentPort } from 'node:worker_threads';
import { computeOnCpu } from '../../src/lib/kernels/compute-registry.js';
import type { ThreadReply, ThreadRequest } from './thread-messages.js';

const port = parentPort;
if (!port) throw new Error('compute-thread-body runs only as a worker thread');

let current: { id: number; abort: AbortController } | null = null;

port.on('message', (msg: ThreadRequest) => {
	if (msg.type === 'cancel') {
		if (current?.id === msg.id) current.abort.abort();
		return;
	}
	const abort = new AbortController();
	current = { id: msg.id, abort };
	computeOnCpu(msg.kernel, msg.kernelVersion, msg.params, abort.signal).then(
		(out) => {
			const reply: ThreadReply = { type: 'done', id: msg.id, bytes: out.bytes, states: out.states, stateBytes: out.stateBytes };
			port.postMessage(reply, [out.bytes.buffer as ArrayBuffer, ...(out.states ? [out.states.buffer as ArrayBuffer] : [])]);
		},
		(err: unknown) => {
			const reply: ThreadReply = { type: 'failed', id: msg.id, aborted: abort.signal.aborted, message: err instanceof Error ? err.message : String(err) };
			port.postMessage(reply);
		}
	).finally(() => {
		if (current?.id === msg.id) current = null;
	});
});
