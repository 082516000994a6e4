// Abuse tests for signalling (issue 14, finding 6) against a real relay: ids bound to keys, no
// takeover, no silent replacement, an owner's reconnect after a blip, bounded sockets and messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNAL_MESSAGES_BURST, SIGNAL_SOCKETS_PER_KEY_MAX } from '../../src/lib/protocol/signalling.js';
import type { Relay } from '../server.js';
import { NodeSigner } from '../testing/node-signer.js';
import { openSignal, signalUrl, testPeerId, testSignalToken, type OpenSignal, type RefusedSignal } from '../testing/signal-client.js';
import { startTestRelay } from '../testing/test-relay.js';

let relay: Relay;
beforeAll(async () => {
	relay = await startTestRelay();
});
afterAll(() => relay.close());

/** Opens `id` for `signer` with a fresh token. */
const connect = (signer: NodeSigner, id: string) => openSignal(signalUrl(relay.url, id, testSignalToken(signer, relay.url, id)));

function opened(r: OpenSignal | RefusedSignal): OpenSignal {
	if (!r.ok) throw new Error(`expected the socket to open, got ${r.status} ${JSON.stringify(r.body)}`);
	return r;
}

function refused(r: OpenSignal | RefusedSignal): RefusedSignal {
	if (r.ok) {
		r.ws.terminate();
		throw new Error('expected a refusal, the socket opened');
	}
	return r;
}

/** `from` offers to `to` and `to` receives it from `from`'s id: the owner's socket is the live one. */
async function delivers(from: OpenSignal, fromId: string, to: OpenSignal, toId: string): Promise<void> {
	const sdp = `v=0 ${Math.random()}`;
	from.ws.send(JSON.stringify({ type: 'OFFER', dst: toId, payload: { sdp, type: 'data', connectionId: 'dc_test' } }));
	for (let i = 0; i < 100 && !to.messages.some((m) => m.type === 'OFFER' && (m.payload as { sdp?: string }).sdp === sdp); i++) await new Promise((r) => setTimeout(r, 20));
	const got = to.messages.find((m) => m.type === 'OFFER' && (m.payload as { sdp?: string }).sdp === sdp);
	expect(got?.src, `${toId} receives the offer from ${fromId}`).toBe(fromId);
}

describe('signalling bound to identity', () => {
	const owner = new NodeSigner();
	const stranger = new NodeSigner();
	const caller = new NodeSigner();

	it("refuses an id that names another key, while the owner is connected and after it left", async () => {
		const id = testPeerId(owner);
		const live = opened(await connect(owner, id));
		// The stranger signs correctly, with its own key, for the owner's id.
		const taken = refused(await connect(stranger, id));
		expect(taken.status).toBe(403);
		expect(taken.body.error?.code).toBe('forbidden');
		const callerId = testPeerId(caller);
		const other = opened(await connect(caller, callerId));
		await delivers(other, callerId, live, id);

		live.ws.close();
		await live.closed;
		// Takeover after the owner disconnected (finding 6): still the owner's id.
		const takeover = refused(await connect(stranger, id));
		expect(takeover.status).toBe(403);
		// An id that names no key at all is refused too.
		const bare = refused(await openSignal(signalUrl(relay.url, 'victimpeer01', testSignalToken(stranger, relay.url, 'victimpeer01'))));
		expect(bare.status).toBe(400);
		// The owner comes back under the same id.
		const back = opened(await connect(owner, id));
		await delivers(other, callerId, back, id);
		back.ws.close();
		other.ws.close();
	});

	it("refuses a replay of the owner's token and a second socket for a live id; the owner's socket stays", async () => {
		const id = testPeerId(owner);
		const url = signalUrl(relay.url, id, testSignalToken(owner, relay.url, id));
		const live = opened(await openSignal(url));
		// Reconnecting with the owner's own token (copied from a log, say) used to replace its socket silently.
		const replay = refused(await openSignal(url));
		expect(replay.status).toBe(401);
		expect(replay.body.error?.code).toBe('replayed_nonce');
		// A fresh token by the owner's key for the live id (another tab) is refused: the live socket answers.
		const second = refused(await connect(owner, id));
		expect(second.status).toBe(409);
		expect(second.body.error?.code).toBe('conflict');
		expect(live.ws.readyState).toBe(live.ws.OPEN);
		const callerId = testPeerId(caller);
		const other = opened(await connect(caller, callerId));
		await delivers(other, callerId, live, id);
		// A stale token (signed long ago) is refused.
		const stale = refused(await openSignal(signalUrl(relay.url, testPeerId(owner), testSignalToken(owner, relay.url, id, Date.now() - 10 * 60_000))));
		expect(stale.status).toBe(401);
		live.ws.close();
		other.ws.close();
	});

	it("lets the owner reconnect after a network blip: a socket that no longer answers pings is replaced", async () => {
		const id = testPeerId(owner);
		// autoPong off: this socket is as good as gone (a laptop that changed networks), but still open on the relay.
		const dead = opened(await openSignal(signalUrl(relay.url, id, testSignalToken(owner, relay.url, id)), { autoPong: false }));
		const started = Date.now();
		const back = opened(await connect(owner, id));
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(await dead.closed).toBe(1006);
		const callerId = testPeerId(caller);
		const other = opened(await connect(caller, callerId));
		await delivers(other, callerId, back, id);
		back.ws.close();
		other.ws.close();
	});

	it('answers an offer to an absent id with EXPIRE at once instead of queueing it', async () => {
		const id = testPeerId(caller);
		const s = opened(await connect(caller, id));
		const absent = testPeerId(stranger);
		const started = Date.now();
		s.ws.send(JSON.stringify({ type: 'OFFER', dst: absent, payload: { sdp: 'v=0', type: 'data', connectionId: 'dc_x' } }));
		const expire = await s.next('EXPIRE', 2_000);
		expect(expire.src).toBe(absent);
		expect(Date.now() - started).toBeLessThan(1_000);
		s.ws.close();
	});

	it('closes a socket that sends anything but PeerJS signalling, or sends too fast', async () => {
		for (const bad of ['not json', JSON.stringify({ type: 'OFFER', dst: { $gt: '' }, payload: {} }), JSON.stringify({ type: 'EXPIRE', dst: testPeerId(owner) }), JSON.stringify({ type: 'HEARTBEAT', extra: 1 })]) {
			const s = opened(await connect(caller, testPeerId(caller)));
			s.ws.send(bad);
			expect(await s.closed, bad).toBe(1008);
		}
		const s = opened(await connect(caller, testPeerId(caller)));
		for (let i = 0; i <= SIGNAL_MESSAGES_BURST + 50; i++) s.ws.send(JSON.stringify({ type: 'HEARTBEAT' }));
		expect(await s.closed).toBe(1008);
	});

	it('lists no peers and hands out no ids over HTTP; other upgrade paths get a JSON 404', async () => {
		for (const path of ['/peerjs/peerjs/peers', '/peerjs/peerjs/id', '/peerjs/peerjs']) {
			const res = await fetch(relay.url + path);
			expect(res.status, path).toBe(404);
			expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
		}
		expect((await fetch(`${relay.url}/peerjs/`)).status).toBe(200);
		const elsewhere = refused(await openSignal(`${relay.url.replace('http', 'ws')}/api/v1/anything`));
		expect(elsewhere.status).toBe(404);
		expect(elsewhere.body.error?.code).toBe('not_found');
	});
});

describe('signalling sockets per key and per address', () => {
	it(`holds at most ${SIGNAL_SOCKETS_PER_KEY_MAX} sockets per key and the configured number per address`, async () => {
		const limited = await startTestRelay({ signalSocketsPerAddressMax: 40 });
		const open: OpenSignal[] = [];
		try {
			const one = new NodeSigner();
			const at = (s: NodeSigner) => openSignal(signalUrl(limited.url, ...((id) => [id, testSignalToken(s, limited.url, id)] as const)(testPeerId(s))));
			for (let i = 0; i < SIGNAL_SOCKETS_PER_KEY_MAX; i++) open.push(opened(await at(one)));
			const keyFull = refused(await at(one));
			expect(keyFull.status).toBe(429);
			expect(keyFull.body.error?.message).toMatch(/one key may hold/);
			// Other keys from the same address, up to the address's bound (40 here; 256 by default).
			while (open.length < 40) open.push(opened(await at(new NodeSigner())));
			const addressFull = refused(await at(new NodeSigner()));
			expect(addressFull.status).toBe(429);
			expect(addressFull.body.error?.code).toBe('rate_limited');
			expect(addressFull.retryAfter).toBe('5');
			// Attempts beyond the bound keep being refused cheaply (the run opened 2,000).
			const burst = await Promise.all(Array.from({ length: 60 }, () => at(new NodeSigner())));
			expect(burst.filter((r) => r.ok)).toHaveLength(0);
			// Every socket the relay kept is one of the ones admitted, all still open.
			expect(open.every((s) => s.ws.readyState === s.ws.OPEN)).toBe(true);
		} finally {
			for (const s of open) s.ws.terminate();
			await limited.close();
		}
	});

	it('lets 30 devices behind one address each hold a contributor, a training peer and a host socket under the default bound', async () => {
		const classroom = relay;
		const open: OpenSignal[] = [];
		try {
			for (let d = 0; d < 30; d++) {
				const device = new NodeSigner();
				for (const role of ['mesh', 'peer', 'host']) {
					const id = testPeerId(device, role);
					open.push(opened(await openSignal(signalUrl(classroom.url, id, testSignalToken(device, classroom.url, id)))));
				}
			}
			expect(open).toHaveLength(90);
		} finally {
			for (const s of open) s.ws.terminate();
		}
	});
});
