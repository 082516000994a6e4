// This page's mailbox on the relay, and the links that run through it when WebRTC finds no
// direct path. One long poll takes mail for every link; each link sends in order, one post at
// a time, with a bounded queue and bounded retries. Messages are msgpack envelopes (binary
// fields stay binary); the relay only sees bytes.
import { decode, encode } from '@msgpack/msgpack';
import * as v from 'valibot';
import { EnvelopeSchema, MAILBOX_WAIT_MS_MAX, type Envelope } from '$lib/protocol/mesh-mailbox';
import type { MeshLink } from './mesh-link';
import { isRelayError, type RelayClient } from '$lib/relay-api/relay-client';

/** Messages a link holds while earlier ones are still being posted; past this the link closes. */
const LINK_SEND_QUEUE_MAX = 32;
/** Links one mailbox carries at once (a session's peers, with room for reconnects). */
const RELAY_LINKS_MAX = 128;
/** Attempts to post one message when the relay says the far mailbox is full. */
const POST_ATTEMPTS_MAX = 6;
/** Consecutive failed polls before the mailbox gives up (about a minute and a half of backoff). */
const POLL_FAILURES_MAX = 10;
const BACKOFF_MS_MAX = 10_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Listener = (data?: unknown) => void;

class RelayLink implements MeshLink {
	readonly via = 'relay' as const;
	open = false;
	private closed = false;
	private readonly listeners = { open: [] as Listener[], data: [] as Listener[], close: [] as Listener[] };
	private readonly queue: Envelope[] = [];
	private sending = false;

	constructor(
		private readonly box: RelayMailbox,
		readonly peer: string
	) {}

	on(event: 'open' | 'close' | 'data', listener: Listener): void {
		this.listeners[event].push(listener);
	}

	send(data: unknown): void {
		if (!this.open) return;
		this.enqueue({ kind: 'data', data });
	}

	close(): void {
		if (this.closed) return;
		if (this.open) this.enqueue({ kind: 'close' });
		this.finish();
	}

	/** The caller's side of a new link: sends `open`; the link opens when the far side answers with its own. */
	start(): void {
		this.enqueue({ kind: 'open' });
	}

	/** The called side: open at once (mail may follow our answer quickly), answering `open` first in the queue. */
	accept(): void {
		this.opened();
		this.enqueue({ kind: 'open' });
	}

	/** Mail from the far side. */
	receive(env: Envelope): void {
		if (this.closed) return;
		if (env.kind === 'open') return this.opened();
		if (env.kind === 'close') return this.finish();
		if (this.open) for (const l of this.listeners.data) l(env.data);
	}

	opened(): void {
		if (this.open || this.closed) return;
		this.open = true;
		for (const l of this.listeners.open) l();
	}

	/** Closes without telling the far side (it is gone, or already said so). */
	finish(): void {
		if (this.closed) return;
		this.closed = true;
		this.open = false;
		this.box.forget(this);
		for (const l of this.listeners.close) l();
	}

	private enqueue(env: Envelope): void {
		if (this.queue.length >= LINK_SEND_QUEUE_MAX) return this.finish();
		this.queue.push(env);
		void this.pump();
	}

	private async pump(): Promise<void> {
		if (this.sending) return;
		this.sending = true;
		try {
			while (this.queue.length > 0) {
				const env = this.queue[0]!;
				const ok = await this.box.post(this.peer, encode(env));
				this.queue.shift();
				if (!ok) {
					this.queue.length = 0;
					this.finish();
				}
			}
		} finally {
			this.sending = false;
		}
	}
}

export class RelayMailbox {
	private readonly links = new Map<string, RelayLink>();
	private readonly incoming: ((link: MeshLink) => void)[] = [];
	private readonly stop = new AbortController();
	private failures = 0;

	private constructor(
		private readonly client: RelayClient,
		readonly id: string
	) {}

	/** Claims `id` on the relay and starts taking mail. */
	static async open(client: RelayClient, id: string): Promise<RelayMailbox> {
		await client.claimMailbox(id);
		const box = new RelayMailbox(client, id);
		void box.poll();
		return box;
	}

	get closed(): boolean {
		return this.stop.signal.aborted;
	}

	/** Called with each link another page opens to this mailbox. */
	onLink(listener: (link: MeshLink) => void): void {
		this.incoming.push(listener);
	}

	/** A link to the page whose mailbox is `to`; it opens when that page answers. */
	connect(to: string): MeshLink {
		this.links.get(to)?.finish();
		const link = new RelayLink(this, to);
		this.links.set(to, link);
		link.start();
		return link;
	}

	/** Closes every link and releases the mailbox. */
	close(): void {
		if (this.closed) return;
		for (const link of [...this.links.values()]) link.close();
		this.stop.abort();
		void this.client.releaseMailbox(this.id).catch(() => undefined);
	}

	forget(link: RelayLink): void {
		if (this.links.get(link.peer) === link) this.links.delete(link.peer);
	}

	/** Posts one envelope to `to`; false when the far mailbox is gone or stays full. */
	async post(to: string, body: Uint8Array): Promise<boolean> {
		for (let attempt = 0; attempt < POST_ATTEMPTS_MAX && !this.closed; attempt++) {
			try {
				await this.client.postMail(to, this.id, body, this.stop.signal);
				return true;
			} catch (err) {
				if (this.closed) return false;
				if (isRelayError(err) && err.status === 404) return false;
				if (isRelayError(err) && err.status === 403) await this.reclaim();
				await sleep(Math.min(BACKOFF_MS_MAX, 250 * 2 ** attempt));
			}
		}
		return false;
	}

	private async poll(): Promise<void> {
		while (!this.closed) {
			try {
				const mail = await this.client.takeMail(this.id, MAILBOX_WAIT_MS_MAX, this.stop.signal);
				this.failures = 0;
				for (const m of mail) this.deliver(m.from, m.body);
			} catch (err) {
				if (this.closed) return;
				// The relay restarted (or dropped us as idle): claim the id again and carry on.
				if (isRelayError(err) && (err.status === 404 || err.status === 403)) await this.reclaim();
				if (++this.failures >= POLL_FAILURES_MAX) {
					for (const link of [...this.links.values()]) link.finish();
					this.stop.abort();
					return;
				}
				await sleep(Math.min(BACKOFF_MS_MAX, 500 * 2 ** this.failures));
			}
		}
	}

	private async reclaim(): Promise<void> {
		await this.client.claimMailbox(this.id).catch(() => undefined);
	}

	private deliver(from: string, body: Uint8Array): void {
		let env: Envelope;
		try {
			const parsed = v.safeParse(EnvelopeSchema, decode(body));
			if (!parsed.success) return;
			env = parsed.output;
		} catch {
			return; // not msgpack: dropped, as a data channel would drop a garbled frame
		}
		const link = this.links.get(from);
		if (env.kind === 'open' && (!link || link.open)) {
			// A page calling us (again, after a reload: the old link is over). Only a page that
			// listens takes calls, and only so many.
			if (this.incoming.length === 0 || (!link && this.links.size >= RELAY_LINKS_MAX)) return;
			link?.finish();
			const fresh = new RelayLink(this, from);
			this.links.set(from, fresh);
			for (const l of this.incoming) l(fresh);
			fresh.accept();
			return;
		}
		if (!link) return;
		link.receive(env);
	}
}
