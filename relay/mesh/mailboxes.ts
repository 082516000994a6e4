// The relay's mailboxes for mesh peers without a direct WebRTC path (protocol in
// src/lib/protocol/mesh-mailbox.ts). In memory, like signalling: a restart empties them and
// the pages reconnect. Every queue is bounded by count, bytes and age; the relay never looks
// inside a message.
import {
	MAILBOX_BYTES_MAX,
	MAILBOX_IDLE_MS,
	MAILBOX_MESSAGE_TTL_MS,
	MAILBOX_MESSAGES_MAX,
	MAILBOX_TAKE_MESSAGES_MAX,
	MAILBOXES_BYTES_MAX,
	MAILBOXES_MAX,
	MAILBOXES_PER_KEY_MAX,
	type Mail
} from '../../src/lib/protocol/mesh-mailbox.js';
import { DomainError } from '../domain-error.js';

interface Queued extends Mail {
	at: number;
}

interface Mailbox {
	owner: string;
	queue: Queued[];
	bytes: number;
	/** Last time the owner claimed or took from it. */
	seenAt: number;
	/** The owner's take waiting for mail, if any (a newer take answers the older one empty). */
	waiter: { resolve: (mail: Mail[]) => void; timer: ReturnType<typeof setTimeout> } | null;
}

export class MeshMailboxes {
	private readonly boxes = new Map<string, Mailbox>();
	/** Mailboxes each key holds (keys holding none are not listed). */
	private readonly owned = new Map<string, number>();
	private bytes = 0;
	private sweptAt = -Infinity;

	constructor(
		private readonly clock: () => number = Date.now,
		private readonly perKeyMax = MAILBOXES_PER_KEY_MAX
	) {}

	get size(): number {
		return this.boxes.size;
	}

	get queuedBytes(): number {
		return this.bytes;
	}

	/** Mailboxes `owner` holds now. */
	heldBy(owner: string): number {
		return this.owned.get(owner) ?? 0;
	}

	/** Claims `id` for `owner` (again is fine); another key's live mailbox is refused, and so is one past the key's bound. */
	claim(id: string, owner: string): void {
		this.sweep();
		const box = this.boxes.get(id);
		if (box) {
			if (box.owner !== owner) throw new DomainError('conflict', `mailbox ${id} belongs to another key`);
			box.seenAt = this.clock();
			return;
		}
		// Per key first: one key filling the relay-wide table would shut every other key out.
		const held = this.heldBy(owner);
		if (held >= this.perKeyMax) {
			throw new DomainError('rate_limited', `this key already holds ${held} mailboxes, the most one key may; release one (or let an unused one expire within ${MAILBOX_IDLE_MS / 1000} s) first`);
		}
		if (this.boxes.size >= MAILBOXES_MAX) throw new DomainError('rate_limited', `the relay holds ${MAILBOXES_MAX} mailboxes; try again shortly`);
		this.boxes.set(id, { owner, queue: [], bytes: 0, seenAt: this.clock(), waiter: null });
		this.owned.set(owner, held + 1);
	}

	/** Queues `body` from `from` (which `sender` must own) for `to`. Returns the messages now waiting there. */
	post(to: string, from: string, sender: string, body: Uint8Array): number {
		this.sweep();
		const source = this.boxes.get(from);
		if (!source || source.owner !== sender) throw new DomainError('forbidden', `claim mailbox ${from} before sending from it`);
		const box = this.boxes.get(to);
		if (!box) throw new DomainError('not_found', `no mailbox ${to} on this relay (the page may have closed)`);
		if (box.queue.length >= MAILBOX_MESSAGES_MAX || box.bytes + body.byteLength > MAILBOX_BYTES_MAX) {
			throw new DomainError('rate_limited', `mailbox ${to} is full (${box.queue.length} messages, ${box.bytes} bytes); try again shortly`);
		}
		if (this.bytes + body.byteLength > MAILBOXES_BYTES_MAX) throw new DomainError('rate_limited', 'the relay is holding all the mail it can; try again shortly');
		const mail = { from, body: body.slice(), at: this.clock() };
		if (box.waiter) {
			const { resolve, timer } = box.waiter;
			clearTimeout(timer);
			box.waiter = null;
			box.seenAt = this.clock();
			resolve([{ from: mail.from, body: mail.body }]);
			return 0;
		}
		box.queue.push(mail);
		box.bytes += mail.body.byteLength;
		this.bytes += mail.body.byteLength;
		return box.queue.length;
	}

	/** The owner's waiting mail, oldest first; waits up to `waitMs` when there is none. */
	take(id: string, owner: string, waitMs: number, signal?: AbortSignal): Promise<Mail[]> {
		this.sweep();
		const box = this.boxes.get(id);
		if (!box) throw new DomainError('not_found', `no mailbox ${id}; claim it first`);
		if (box.owner !== owner) throw new DomainError('forbidden', `mailbox ${id} belongs to another key`);
		box.seenAt = this.clock();
		if (box.waiter) this.answer(box, []);
		if (box.queue.length > 0 || waitMs === 0) return Promise.resolve(this.drain(box));
		return new Promise((resolve) => {
			const waiter = { resolve, timer: setTimeout(() => this.answer(box, []), waitMs) };
			box.waiter = waiter;
			signal?.addEventListener('abort', () => box.waiter === waiter && this.answer(box, []), { once: true });
		});
	}

	/** Removes the owner's mailbox; a waiting take answers empty. */
	release(id: string, owner: string): void {
		const box = this.boxes.get(id);
		if (!box || box.owner !== owner) return;
		this.remove(id, box);
	}

	/** Answers every waiting take (relay shutdown). */
	closeAll(): void {
		for (const [id, box] of this.boxes) this.remove(id, box);
	}

	private answer(box: Mailbox, mail: Mail[]): void {
		if (!box.waiter) return;
		const { resolve, timer } = box.waiter;
		clearTimeout(timer);
		box.waiter = null;
		box.seenAt = this.clock();
		resolve(mail);
	}

	private drain(box: Mailbox): Mail[] {
		const out = box.queue.splice(0, MAILBOX_TAKE_MESSAGES_MAX);
		for (const m of out) {
			box.bytes -= m.body.byteLength;
			this.bytes -= m.body.byteLength;
		}
		return out.map((m) => ({ from: m.from, body: m.body }));
	}

	private remove(id: string, box: Mailbox): void {
		this.answer(box, []);
		this.bytes -= box.bytes;
		this.boxes.delete(id);
		const held = this.heldBy(box.owner) - 1;
		if (held > 0) this.owned.set(box.owner, held);
		else this.owned.delete(box.owner);
	}

	/** Drops expired messages and mailboxes nobody polls (at most once a second: a pass visits every mailbox). */
	private sweep(): void {
		const now = this.clock();
		if (now - this.sweptAt < 1_000) return;
		this.sweptAt = now;
		for (const [id, box] of this.boxes) {
			if (!box.waiter && now - box.seenAt > MAILBOX_IDLE_MS) {
				this.remove(id, box);
				continue;
			}
			while (box.queue.length > 0 && now - box.queue[0]!.at > MAILBOX_MESSAGE_TTL_MS) {
				const m = box.queue.shift()!;
				box.bytes -= m.body.byteLength;
				this.bytes -= m.body.byteLength;
			}
		}
	}
}
