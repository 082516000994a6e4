import * as ed from '@noble/ed25519';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vectors from '../../test/samples/signature-vectors.json';
import { AUTH_HEADERS } from '../../src/lib/protocol/auth.js';
import { SIGNATURE_SKEW_MS_MAX } from '../../src/lib/protocol/limits.js';
import { signRequest } from '../../src/lib/verify/request-signature.js';
import { NonceCache } from './nonce-cache.js';
import { verifySignedRequest, type SignedRequest, type VerifyRequestResult } from './verify-request.js';

type WireRequest = { origin: string; method: string; path: string; bodyHex: string; headers: Record<string, string | string[] | undefined> };

/** Presents a request to the verifier as the relay would, at its signed time unless told. */
function check(r: WireRequest, opts: { now?: number; startedAt?: number; nonces?: NonceCache } = {}): VerifyRequestResult {
	const stamp = Number(r.headers[AUTH_HEADERS.timestamp] ?? 0);
	const req: SignedRequest = {
		origin: r.origin,
		method: r.method,
		path: r.path,
		headers: r.headers,
		body: hexToBytes(r.bodyHex),
		now: opts.now ?? stamp,
		startedAt: opts.startedAt ?? stamp - 60_000,
		nonces: opts.nonces ?? new NonceCache()
	};
	return verifySignedRequest(req);
}

const first = vectors.requests[0]!;
const withHeader = (name: string, value: string | string[] | undefined): WireRequest => ({ ...first, headers: { ...first.headers, [name]: value } });

describe('verifySignedRequest against the vectors', () => {
	it('accepts every positive vector and returns its key', () => {
		for (const r of vectors.requests) expect(check(r), r.name).toEqual({ ok: true, key: r.headers[AUTH_HEADERS.key] });
	});

	it('rejects every negative vector as a bad signature', () => {
		for (const r of vectors.negativeRequests) expect(check(r), r.name).toMatchObject({ ok: false, status: 401, code: 'bad_signature' });
	});
});

describe('verifySignedRequest freshness and replay', () => {
	const t = first.timestamp;

	it('refuses a replayed nonce, and only after the first use verified', () => {
		const nonces = new NonceCache();
		expect(check(first, { nonces }).ok).toBe(true);
		const again = check(first, { nonces, now: t + 5000 });
		expect(again).toMatchObject({ ok: false, code: 'replayed_nonce' });
		if (!again.ok) expect(again.message).toMatch(/already used/);
	});

	it('does not let a forged request burn a nonce', () => {
		const nonces = new NonceCache();
		const forged = withHeader(AUTH_HEADERS.signature, '00'.repeat(64));
		expect(check(forged, { nonces })).toMatchObject({ code: 'bad_signature' });
		expect(nonces.size).toBe(0);
		expect(check(first, { nonces }).ok).toBe(true);
	});

	it('refuses a stale timestamp with a readable age', () => {
		const r = check(first, { now: t + 190_000 });
		expect(r).toEqual({ ok: false, status: 401, code: 'stale_signature', message: 'signature timestamp is 190 s old; allowed skew is 120 s' });
	});

	it('refuses a future timestamp and suggests checking the clock', () => {
		const r = check(first, { now: t - 130_000, startedAt: t - 200_000 });
		expect(r).toMatchObject({ ok: false, code: 'stale_signature' });
		if (!r.ok) expect(r.message).toMatch(/130 s in the future; allowed skew is 120 s.*clock/);
	});

	it('accepts exactly at the edges of the skew window', () => {
		expect(check(first, { now: t + SIGNATURE_SKEW_MS_MAX }).ok).toBe(true);
		expect(check(first, { now: t - SIGNATURE_SKEW_MS_MAX, startedAt: t - 1e6 }).ok).toBe(true);
		expect(check(first, { now: t + SIGNATURE_SKEW_MS_MAX + 1 }).ok).toBe(false);
	});

	it('refuses a timestamp from before the relay started, so a restart cannot reopen replays', () => {
		const r = check(first, { startedAt: t + 1 });
		expect(r).toMatchObject({ ok: false, code: 'stale_signature' });
		if (!r.ok) expect(r.message).toMatch(/before this relay started/);
	});

	it('answers 429 when the replay cache is full, rather than forgetting', () => {
		const nonces = new NonceCache({ entriesMax: 1 });
		nonces.remember('other', 'n', t, t);
		expect(check(first, { nonces })).toMatchObject({ ok: false, status: 429, code: 'rate_limited' });
	});
});

describe('verifySignedRequest header checks', () => {
	it.each(Object.values(AUTH_HEADERS))('names a missing %s header', (name) => {
		const r = check(withHeader(name, undefined));
		expect(r).toMatchObject({ ok: false, status: 401, code: 'unauthenticated' });
		if (!r.ok) expect(r.message).toContain(`missing header ${name}`);
	});

	it('refuses a wrong protocol version', () => {
		const r = check(withHeader(AUTH_HEADERS.version, '2'));
		expect(r).toMatchObject({ code: 'unauthenticated', message: 'x-mycelia-version is 2; this relay speaks protocol version 1' });
		expect(check(withHeader(AUTH_HEADERS.version, '01'))).toMatchObject({ code: 'unauthenticated' });
	});

	it.each([
		[AUTH_HEADERS.key, first.headers[AUTH_HEADERS.key].toUpperCase()],
		[AUTH_HEADERS.key, first.headers[AUTH_HEADERS.key].slice(1)],
		[AUTH_HEADERS.timestamp, '-1'],
		[AUTH_HEADERS.timestamp, '1.5e12'],
		[AUTH_HEADERS.timestamp, ''],
		[AUTH_HEADERS.nonce, 'x'.repeat(32)],
		[AUTH_HEADERS.signature, first.headers[AUTH_HEADERS.signature] + '00'],
		[AUTH_HEADERS.version, 'one']
	])('refuses a malformed %s (%s)', (name, value) => {
		const r = check(withHeader(name, value));
		expect(r).toMatchObject({ ok: false, status: 401, code: 'unauthenticated' });
		if (!r.ok) expect(r.message).toContain(`header ${name} must be`);
	});

	it('refuses a header sent twice', () => {
		const r = check(withHeader(AUTH_HEADERS.nonce, [first.nonce, first.nonce]));
		expect(r).toMatchObject({ code: 'unauthenticated', message: 'header x-mycelia-nonce was sent more than once' });
	});

	it('refuses a path no client could have signed without throwing', () => {
		expect(check({ ...first, path: 'http://evil/api/v1/jobs' })).toMatchObject({ ok: false, code: 'bad_signature' });
	});
});

describe('verifySignedRequest properties', () => {
	const origins = ['http://127.0.0.1:8787', 'https://mycelia.example.org', 'http://localhost:5173'];
	const methods = ['POST', 'PUT', 'PATCH', 'DELETE'];
	const request = fc.record({
		secretKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
		origin: fc.constantFrom(...origins),
		method: fc.constantFrom(...methods),
		path: fc.stringMatching(/^\/[a-z0-9/_%-]{0,40}(\?[a-z0-9=&%]{0,30})?$/),
		body: fc.uint8Array({ maxLength: 300 }),
		now: fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }),
		clockOffset: fc.integer({ min: -SIGNATURE_SKEW_MS_MAX, max: SIGNATURE_SKEW_MS_MAX })
	});
	type Tamper = (r: WireRequest) => WireRequest;
	const header = (name: string, f: (value: string) => string): Tamper => (r) => ({ ...r, headers: { ...r.headers, [name]: f(String(r.headers[name])) } });
	const flipHexBit = (hex: string, bit: number) => {
		const bytes = hexToBytes(hex);
		bytes[(bit >> 3) % bytes.length]! ^= 1 << (bit & 7);
		return bytesToHex(bytes);
	};
	const tamper: fc.Arbitrary<Tamper> = fc.oneof(
		fc.constantFrom(...origins).map((o): Tamper => (r) => ({ ...r, origin: o === r.origin ? `${o}0` : o })),
		fc.constantFrom(...methods).map((m): Tamper => (r) => ({ ...r, method: m === r.method ? 'GET' : m })),
		fc.constantFrom('x', '/', '?', '&a=1').map((s): Tamper => (r) => ({ ...r, path: r.path + s })),
		fc.nat().map((bit): Tamper => (r) => ({ ...r, bodyHex: r.bodyHex === '' ? '00' : flipHexBit(r.bodyHex, bit) })),
		fc.nat().map((bit) => header(AUTH_HEADERS.signature, (s) => flipHexBit(s, bit))),
		fc.nat().map((bit) => header(AUTH_HEADERS.nonce, (s) => flipHexBit(s, bit))),
		fc.nat().map((bit) => header(AUTH_HEADERS.key, (s) => flipHexBit(s, bit))),
		fc.integer({ min: 1, max: 1000 }).map((d) => header(AUTH_HEADERS.timestamp, (s) => String(Number(s) + d))),
		fc.constant(header(AUTH_HEADERS.version, () => '2'))
	);

	it('any tampering of any field fails, and does not burn the genuine nonce', async () => {
		await fc.assert(
			fc.asyncProperty(request, tamper, async (q, change) => {
				const publicKeyHex = bytesToHex(await ed.getPublicKeyAsync(q.secretKey));
				const stamp = q.now + q.clockOffset;
				const headers = await signRequest({ ...q, publicKeyHex, now: stamp });
				const genuine: WireRequest = { origin: q.origin, method: q.method, path: q.path, bodyHex: bytesToHex(q.body), headers };
				const nonces = new NonceCache();
				const opts = { now: q.now, startedAt: q.now - 10 * SIGNATURE_SKEW_MS_MAX, nonces };
				expect(check(change(genuine), opts).ok).toBe(false);
				expect(check(genuine, opts)).toEqual({ ok: true, key: publicKeyHex });
				expect(check(genuine, opts)).toMatchObject({ ok: false, code: 'replayed_nonce' });
			}),
			{ numRuns: 300 }
		);
	});
});
