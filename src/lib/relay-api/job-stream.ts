// Follows GET /api/v1/jobs/:id/events. EventSource reconnects by itself after a dropped
// connection; when the relay answers with an error (the stream is CLOSED), this wrapper
// reopens it with a bounded backoff. Each event is validated before the caller sees it.
import * as v from 'valibot';
import { JobEventSchema, type JobEvent } from '../protocol/jobs.js';

const RECONNECT_MS_MIN = 500;
const RECONNECT_MS_MAX = 10_000;

export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface JobStreamHandlers {
	onEvent(event: JobEvent): void;
	onStatus?(status: StreamStatus): void;
}

export interface JobStream {
	close(): void;
}

/**
 * Opens the event stream at `url`; call `close()` when the job is over or the page leaves.
 * `EventSourceImpl`: the browser's by default; Node 20 has none, so programs pass the
 * `eventsource` package's.
 */
export function openJobStream(url: string, handlers: JobStreamHandlers, EventSourceImpl: typeof EventSource = globalThis.EventSource): JobStream {
	let source: EventSource | null = null;
	let closed = false;
	let delayMs = RECONNECT_MS_MIN;
	let timer: ReturnType<typeof setTimeout> | null = null;

	const status = (s: StreamStatus) => handlers.onStatus?.(s);

	const connect = () => {
		if (closed) return;
		status('connecting');
		const es = new EventSourceImpl(url);
		source = es;
		es.onopen = () => {
			delayMs = RECONNECT_MS_MIN;
			status('open');
		};
		es.onmessage = (msg: MessageEvent<string>) => {
			let data: unknown;
			try {
				data = JSON.parse(msg.data);
			} catch {
				return;
			}
			const parsed = v.safeParse(JobEventSchema, data);
			if (parsed.success) handlers.onEvent(parsed.output);
		};
		es.onerror = () => {
			if (closed) return;
			if (es.readyState === EventSourceImpl.CLOSED) {
				es.close();
				status('reconnecting');
				timer = setTimeout(connect, delayMs);
				delayMs = Math.min(delayMs * 2, RECONNECT_MS_MAX);
			} else {
				status('reconnecting');
			}
		};
	};

	connect();
	return {
		close() {
			closed = true;
			if (timer) clearTimeout(timer);
			source?.close();
			status('closed');
		}
	};
}
