// CPU twins run long loops on a worker's one thread: every CPU_SLICE_MS they yield one macrotask
// so a pending abort (a message on the signal's port) is delivered. Shared by every kernel's
// compute.ts, in the browser's compute worker and in Node alike.

/** Work between yields aims at this many ms, so an abort is heard within about that. */
export const CPU_SLICE_MS = 25;

let channel: MessageChannel | null = null;
const waiters: (() => void)[] = [];

/**
 * Yields one macrotask. In a browser a message to ourselves rather than setTimeout(0), which
 * nested timers clamp to 4 ms; in Node setImmediate (a MessagePort listener would keep the
 * process alive).
 */
export function yieldToEvents(): Promise<void> {
	if (typeof setImmediate === 'function') return new Promise<void>((resolve) => setImmediate(resolve));
	if (!channel) {
		channel = new MessageChannel();
		channel.port1.onmessage = () => waiters.shift()?.();
	}
	const port = channel.port2;
	return new Promise<void>((resolve) => {
		waiters.push(resolve);
		port.postMessage(null);
	});
}

/** The signal's reason when it is an AbortError, else a fresh one: what fetch and friends reject with. */
export function abortError(signal?: AbortSignal): Error {
	const reason: unknown = signal?.reason;
	if (reason instanceof Error && reason.name === 'AbortError') return reason;
	return new DOMException('The operation was aborted.', 'AbortError');
}
