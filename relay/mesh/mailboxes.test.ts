// The mailbox store on its own, with a hand-driven clock: ownership, bounds by count and bytes,
// long polls woken by mail, abandoned polls that leave mail queued, and expiry.
import { describe, expect, it } from 'vitest';
import { MAILBOX_BYTES_MAX, MAILBOX_IDLE_MS, MAILBOX_MESSAGE_TTL_MS, MAILBOX_MESSAGES_MAX, MAILBOX_TAKE_MESSAGES_MAX, MAILBOXES_PER_KEY_MAX } from '../../src/lib/protocol/mesh-mailbox.js';
import { MeshMailboxes } from './mailboxes.js';

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

function setup() {
	let now = 1_000_000;
	const boxes = new MeshMailboxes(() => now);
	boxes.claim('host-0001', 'key-host');
	boxes.claim('peer-0001', 'key-peer');
	return { boxes, advance: (ms: number) => (now += ms) };
}

describe('mesh mailboxes', () => {
	it('delivers in order to the owner only; senders must own the mailbox they send from', async () => {
		const { boxes } = setup();
		boxes.post('host-0001', 'peer-0001', 'key-peer', bytes(3, 7));
		boxes.post('host-0001', 'peer-0001', 'key-peer', bytes(2, 8));
		expect(() => boxes.take('host-0001', 'key-peer', 0)).toThrow(/another key/);
		const mail = await boxes.take('host-0001', 'key-host', 0);
		expect(mail.map((m) => [m.from, [...m.body]])).toEqual([
			['peer-0001', [7, 7, 7]],
			['peer-0001', [8, 8]]
		]);
		expect(await boxes.take('host-0001', 'key-host', 0)).toEqual([]);
		expect(() => boxes.post('host-0001', 'peer-0001', 'key-host', bytes(1))).toThrow(/claim mailbox peer-0001/);
		expect(() => boxes.post('nobody-01', 'peer-0001', 'key-peer', bytes(1))).toThrow(/no mailbox/);
		expect(() => boxes.claim('host-0001', 'key-peer')).toThrow(/another key/);
		expect(boxes.queuedBytes).toBe(0);
	});

	it('a waiting take is answered by the next post; a newer take answers the older one empty', async () => {
		const { boxes } = setup();
		const first = boxes.take('host-0001', 'key-host', 10_000);
		const second = boxes.take('host-0001', 'key-host', 10_000);
		expect(await first).toEqual([]);
		boxes.post('host-0001', 'peer-0001', 'key-peer', bytes(4));
		expect((await second).map((m) => m.body.length)).toEqual([4]);
		expect(boxes.queuedBytes).toBe(0);
	});

	it('an abandoned take leaves later mail queued for the next one', async () => {
		const { boxes } = setup();
		const gone = new AbortController();
		const abandoned = boxes.take('host-0001', 'key-host', 10_000, gone.signal);
		gone.abort();
		expect(await abandoned).toEqual([]);
		boxes.post('host-0001', 'peer-0001', 'key-peer', bytes(5));
		expect((await boxes.take('host-0001', 'key-host', 0)).map((m) => m.body.length)).toEqual([5]);
	});

	it('refuses posts past the count and byte bounds, and a take returns a bounded batch', async () => {
		const { boxes } = setup();
		for (let i = 0; i < MAILBOX_MESSAGES_MAX; i++) boxes.post('host-0001', 'peer-0001', 'key-peer', bytes(1));
		expect(() => boxes.post('host-0001', 'peer-0001', 'key-peer', bytes(1))).toThrow(/full/);
		expect((await boxes.take('host-0001', 'key-host', 0)).length).toBe(MAILBOX_TAKE_MESSAGES_MAX);
		expect(() => boxes.post('peer-0001', 'host-0001', 'key-host', bytes(MAILBOX_BYTES_MAX + 1))).toThrow(/full/);
		expect(boxes.queuedBytes).toBe(MAILBOX_MESSAGES_MAX - MAILBOX_TAKE_MESSAGES_MAX);
	});

	it('drops mail nobody took and mailboxes nobody polls', async () => {
		const { boxes, advance } = setup();
		boxes.post('host-0001', 'peer-0001', 'key-peer', bytes(9));
		advance(MAILBOX_MESSAGE_TTL_MS + 1);
		boxes.claim('host-0001', 'key-host');
		expect(await boxes.take('host-0001', 'key-host', 0)).toEqual([]);
		expect(boxes.queuedBytes).toBe(0);
		advance(MAILBOX_IDLE_MS / 2);
		boxes.claim('peer-0001', 'key-peer');
		advance(MAILBOX_IDLE_MS / 2 + 2);
		boxes.claim('other-001', 'key-other');
		// The host polled a while ago and the peer re-claimed later: only the host's mailbox is gone.
		expect(() => boxes.post('host-0001', 'peer-0001', 'key-peer', bytes(1))).toThrow(/no mailbox/);
		expect(boxes.size).toBe(2);
	});

	it('release and shutdown answer waiting takes and forget the mail', async () => {
		const { boxes } = setup();
		boxes.post('peer-0001', 'host-0001', 'key-host', bytes(2));
		const waiting = boxes.take('host-0001', 'key-host', 10_000);
		boxes.release('host-0001', 'key-peer'); // not the owner: nothing happens
		expect(boxes.size).toBe(2);
		boxes.closeAll();
		expect(await waiting).toEqual([]);
		expect(boxes.size).toBe(0);
		expect(boxes.queuedBytes).toBe(0);
	});

	it('bounds the mailboxes one key holds; releasing or idling one out frees its place', () => {
		const { boxes, advance } = setup();
		for (let i = 1; i < MAILBOXES_PER_KEY_MAX; i++) boxes.claim(`host-extra-${i}`, 'key-host');
		expect(boxes.heldBy('key-host')).toBe(MAILBOXES_PER_KEY_MAX);
		expect(() => boxes.claim('host-over-1', 'key-host')).toThrow(/already holds 8 mailboxes/);
		// Claiming one it holds again is no new mailbox; another key is not affected.
		boxes.claim('host-0001', 'key-host');
		boxes.claim('peer-0002', 'key-peer');
		boxes.release('host-extra-1', 'key-host');
		boxes.claim('host-over-1', 'key-host');
		expect(() => boxes.claim('host-over-2', 'key-host')).toThrow(/already holds/);
		// Idle mailboxes go, and with them the key's count.
		advance(MAILBOX_IDLE_MS + 1);
		boxes.claim('host-over-2', 'key-host');
		expect(boxes.heldBy('key-host')).toBe(1);
		expect(boxes.heldBy('key-peer')).toBe(0);
	});
});
