// Issue 14, "cost before work" and finding 11 (the replay cache could be filled), against the
// real relay: a flood from one address is refused before its body is read or its signature
// checked, while other addresses are served; one key flooding signed requests is refused on its
// own and cannot make another key's signed writes fail; open event streams are bounded per address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../src/lib/protocol/jobs.js';
import { API_PREFIX } from '../../src/lib/protocol/version.js';
import { NonceCache } from '../auth/nonce-cache.js';
import { DEFAULT_REQUEST_LIMITS, burstOf } from '../limits/request-limits.js';
import type { Relay } from '../server.js';
import { ApiClient } from '../testing/api-client.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';

/** Two at once, then one every 7.5 s: a loaded test machine cannot refill the bucket mid-flood. */
const WRITES_PER_MIN = 8;
const STREAMS = 3;
let relay: Relay;
beforeAll(async () => {
	relay = await startTestRelay({ trustProxy: true, limits: { ...DEFAULT_REQUEST_LIMITS, writesPerMinute: WRITES_PER_MIN, streamsPerAddress: STREAMS } });
});
afterAll(async () => {
	await relay?.close();
});

/** A signed POST from `address`; `tamper` breaks the signature, `body` defaults to `{}`. */
async function post(address: string, path: string, opts: { signer?: NodeSigner; body?: Uint8Array; tamper?: boolean } = {}) {
	const signer = opts.signer ?? new NodeSigner();
	const body = opts.body ?? new TextEncoder().encode('{}');
	const headers = signer.headers(relay.url, 'POST', API_PREFIX + path, body);
	if (opts.tamper) headers['x-mycelia-signature'] = (headers['x-mycelia-signature'] as string).replace(/^./, (c) => (c === '0' ? '1' : '0'));
	const res = await fetch(relay.url + API_PREFIX + path, {
		method: 'POST',
		body: new Uint8Array(body),
		headers: { ...headers, 'content-type': 'application/json', 'x-forwarded-for': address }
	});
	return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { error?: { code: string; message: string } } };
}

describe('a flood from one address', () => {
	it('is refused before body or signature once its bucket is empty, and other addresses are still served', async () => {
		const flooder = '203.0.113.9';
		const burst = burstOf(WRITES_PER_MIN);
		const statuses = new Map<number, number>();
		// Forged signatures: each one that gets in costs a verification and is refused with 401.
		for (let i = 0; i < burst + 40; i++) {
			const r = await post(flooder, '/leases', { tamper: true });
			statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
		}
		expect(statuses.get(401)).toBeGreaterThanOrEqual(burst);
		expect(statuses.get(401)).toBeLessThanOrEqual(burst + 1); // a token refills every 7.5 s
		expect(statuses.get(429)).toBeGreaterThanOrEqual(39);
		// Refused before the signature is checked: a forgery gets 429, not 401...
		const forged = await post(flooder, '/leases', { tamper: true });
		expect(forged.status).toBe(429);
		expect(forged.body.error?.code).toBe('rate_limited');
		expect(forged.body.error?.message).toMatch(/^too many signed requests from your network \(203\.0\.113\.9\): this relay takes 8 a minute from one address; try again in \d+ s$/);
		expect(Number(forged.retryAfter)).toBeGreaterThanOrEqual(1);
		// ...and before the body is read: an oversized body gets 429, not 413.
		expect((await post(flooder, '/leases', { body: new Uint8Array(64 * 1024) })).status).toBe(429);
		// Another address is served at once: a fresh key's grant and a job.
		const other = new ApiClient(relay.url, new NodeSigner());
		other.headers = { 'x-forwarded-for': '198.51.100.20' };
		expect((await other.post('/grants/demo', {})).status).toBe(201);
		const spec = { centerRe: '-0.75', centerIm: '0', zoom: '1', width: 64, height: 64, maxIter: 100, tile: 64 };
		expect((await other.post<JobSummary>('/jobs', { kernel: 'mandelbrot', spec, budgetMicro: 5_000_000, clientRef: 'served-job' })).status).toBe(201);
		// Reads have their own bucket: the flooder can still read.
		expect((await fetch(`${relay.url}${API_PREFIX}/info`, { headers: { 'x-forwarded-for': flooder } })).status).toBe(200);
	});
});

describe('one key flooding signed requests (finding 11)', () => {
	it('is refused on its own once it holds its share of the replay cache; another key still writes', async () => {
		// A small cache makes the point quickly: without the per-key share, this flood fills it and
		// then every signed write on the relay gets 429.
		const entriesMax = 1_000;
		const perKeyMax = 200;
		relay.ctx.nonces = new NonceCache({ entriesMax, perKeyMax });
		const flooder = new NodeSigner();
		const statuses = new Map<string, number>();
		const bad = new TextEncoder().encode('{"verified":"but not a grant request"}');
		const keyBurst = burstOf(DEFAULT_REQUEST_LIMITS.keyRequestsPerMinute);
		for (let i = 0; i < entriesMax + 200; i++) {
			// Each from its own address, so only the key's own limits apply.
			const r = await post(`10.9.${i >> 8}.${i & 255}`, '/grants/demo', { signer: flooder, body: bad });
			const why = /the most one key may/.test(r.body.error?.message ?? '') ? 'share' : /from one key/.test(r.body.error?.message ?? '') ? 'bucket' : '';
			const tag = `${r.status} ${r.body.error?.code} ${why}`.trim();
			statuses.set(tag, (statuses.get(tag) ?? 0) + 1);
			if (r.status === 429) expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
		}
		// Verified, then refused by the schema, until the key's share is full; then refused for the
		// share (verified, and charged to the key) until its bucket is empty; then refused by the
		// bucket before its signature is checked. Never a write beyond its share.
		expect(statuses.get('400 bad_request')).toBe(perKeyMax);
		expect(statuses.get('429 rate_limited share')).toBeGreaterThanOrEqual(keyBurst - perKeyMax);
		expect(statuses.get('429 rate_limited bucket')).toBeGreaterThan(0);
		expect((statuses.get('429 rate_limited share') ?? 0) + (statuses.get('429 rate_limited bucket') ?? 0)).toBe(entriesMax);
		expect(relay.ctx.nonces.size).toBe(perKeyMax);
		expect(relay.ctx.nonces.sizeOf(flooder.publicKeyHex)).toBe(perKeyMax);
		const honest = await post('10.10.0.1', '/grants/demo');
		expect(honest.status).toBe(201);
		const refused = await post('10.10.0.2', '/grants/demo', { signer: flooder, body: bad });
		expect(refused.status).toBe(429);
		// Its bucket (30 a second) may have refilled a token on a slow machine: then the share refuses it.
		expect(refused.body.error?.message).toMatch(/^too many signed requests from key [0-9a-f]{12}…: this relay takes 1800 a minute from one key; try again in \d+ s$|the most one key may/);
	});
});

describe('live event streams', () => {
	it('are bounded per address, with Retry-After, and a closed one frees its slot', async () => {
		const requester = new ApiClient(relay.url, new NodeSigner());
		requester.headers = { 'x-forwarded-for': '198.51.100.30' };
		expect((await requester.post('/grants/demo', {})).status).toBe(201);
		const spec = { centerRe: '-0.75', centerIm: '0', zoom: '1', width: 64, height: 64, maxIter: 100, tile: 64 };
		const created = await requester.post<JobSummary>('/jobs', { kernel: 'mandelbrot', spec, budgetMicro: 5_000_000, clientRef: 'streams-job' });
		expect(created.status, JSON.stringify(created.body)).toBe(201);
		const job = created.body;
		const open = (address: string) => {
			const abort = new AbortController();
			const res = fetch(`${relay.url}${API_PREFIX}/jobs/${job.id}/events`, { headers: { 'x-forwarded-for': address }, signal: abort.signal });
			return { res, abort };
		};
		const streams = Array.from({ length: STREAMS }, () => open('203.0.113.50'));
		for (const s of streams) expect((await s.res).status).toBe(200);
		const extra = open('203.0.113.50');
		const refused = await extra.res;
		expect(refused.status).toBe(429);
		expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/already has 3 live event streams open/);
		const elsewhere = open('203.0.113.51');
		expect((await elsewhere.res).status).toBe(200);
		streams[0]!.abort.abort();
		await expect.poll(() => relay.ctx.limiter.streamsOpen('203.0.113.50'), { timeout: 5_000 }).toBe(STREAMS - 1);
		const again = open('203.0.113.50');
		expect((await again.res).status).toBe(200);
		for (const s of [...streams.slice(1), elsewhere, again]) s.abort.abort();
		await expect.poll(() => relay.ctx.limiter.streamsOpen('203.0.113.50'), { timeout: 5_000 }).toBe(0);
	});
});
