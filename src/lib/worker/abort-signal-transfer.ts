// Lets comlink calls take an AbortSignal. The caller's signal travels as a MessagePort; the
// worker side rebuilds it as an AbortController's signal that aborts when the port speaks.
// Import this module (for its side effect) on both sides of a comlink channel.
import { transferHandlers, type TransferHandler } from 'comlink';

/** The name this handler is registered under in comlink's `transferHandlers`. */
const ABORT_SIGNAL_HANDLER = 'abort-signal';

const portsBySignal = new WeakMap<AbortSignal, MessagePort>();

const abortSignalHandler: TransferHandler<AbortSignal, MessagePort> = {
	canHandle: (value): value is AbortSignal => typeof AbortSignal !== 'undefined' && value instanceof AbortSignal,
	serialize(signal) {
		const { port1, port2 } = new MessageChannel();
		const send = () => {
			port1.postMessage('abort');
			port1.close();
		};
		if (signal.aborted) send();
		else signal.addEventListener('abort', send, { once: true });
		return [port2, [port2]];
	},
	deserialize(port) {
		const controller = new AbortController();
		portsBySignal.set(controller.signal, port);
		port.onmessage = () => {
			controller.abort(new DOMException('The operation was aborted.', 'AbortError'));
			port.close();
		};
		return controller.signal;
	}
};

transferHandlers.set(ABORT_SIGNAL_HANDLER, abortSignalHandler as TransferHandler<unknown, unknown>);

/** Closes the port behind a signal that came through comlink, once the call it guarded is over. */
export function releaseTransferredSignal(signal: AbortSignal | undefined): void {
	if (!signal) return;
	const port = portsBySignal.get(signal);
	if (!port) return;
	port.onmessage = null;
	port.close();
	portsBySignal.delete(signal);
}

/** A DOMException named AbortError, the same shape fetch and friends reject with. */
export function abortError(signal?: AbortSignal): Error {
	const reason: unknown = signal?.reason;
	if (reason instanceof Error && reason.name === 'AbortError') return reason;
	return new DOMException('The operation was aborted.', 'AbortError');
}

export function isAbortError(err: unknown): boolean {
	return err instanceof Error && err.name === 'AbortError';
}
