// The browser's signalling token (src/lib/verify/signal-token.ts, noble) against the relay's check
// (node:crypto): they agree, and every way to misuse a token is refused with its own answer.
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { signalPeerId } from '../../src/lib/protocol/signalling.js';
import { publicKeyOf, randomSecretKey } from '../../src/lib/verify/ed25519.js';
import { signalToken } from '../../src/lib/verify/signal-token.js';
import { httpStatusOf } from '../api/error-status.js';
import { DomainError } from '../domain-error.js';
import { NonceCache } from '../auth/nonce-cache.js';
import { verifySignalToken } from './signal-token.js';

const ORIGIN = 'http://127.0.0.1:8787';
const startedAt = Date.now() - 1_000;

function pageKey() {
	const secretKey = randomSecretKey();
	return { secretKey, publicKeyHex: bytesToHex(publicKeyOf(secretKey)) };
}

function refusal(f: () => unknown): { status: number; code: string } {
	try {
		f();
	} catch (err) {
		if (err instanceof DomainError) return { status: httpStatusOf(err), code: err.code };
		throw err;
	}
	throw new Error('expected a refusal');
}

describe('signalling token', () => {
	it("verifies a page's token for its own id, once", async () => {
		const page = pageKey();
		const nonces = new NonceCache();
		const id = signalPeerId('host', page.publicKeyHex, '0123456789abcdef');
		const token = await signalToken({ ...page, origin: ORIGIN, id, now: Date.now() });
		expect(verifySignalToken({ id, token, origin: ORIGIN, now: Date.now(), startedAt, nonces })).toBe(page.publicKeyHex);
		expect(refusal(() => verifySignalToken({ id, token, origin: ORIGIN, now: Date.now(), startedAt, nonces }))).toEqual({ status: 401, code: 'replayed_nonce' });
	});

	it('refuses an id of another key, another id, another origin, a stale time and a malformed token', async () => {
		const page = pageKey();
		const other = pageKey();
		const nonces = new NonceCache();
		const id = signalPeerId('peer', page.publicKeyHex, 'fedcba9876543210');
		const theirs = signalPeerId('peer', other.publicKeyHex, 'fedcba9876543210');
		const now = Date.now();
		const check = (token: string, over: Partial<Parameters<typeof verifySignalToken>[0]> = {}) => () => verifySignalToken({ id, token, origin: ORIGIN, now, startedAt, nonces, ...over });
		const forTheirs = await signalToken({ ...page, origin: ORIGIN, id: theirs, now });
		expect(refusal(check(forTheirs, { id: theirs }))).toEqual({ status: 403, code: 'forbidden' });
		const forOtherId = await signalToken({ ...page, origin: ORIGIN, id: signalPeerId('mesh', page.publicKeyHex, '0000000000000000'), now });
		expect(refusal(check(forOtherId))).toEqual({ status: 401, code: 'bad_signature' });
		const elsewhere = await signalToken({ ...page, origin: 'http://evil.example', id, now });
		expect(refusal(check(elsewhere))).toEqual({ status: 401, code: 'bad_signature' });
		const stale = await signalToken({ ...page, origin: ORIGIN, id, now: now - 5 * 60_000 });
		expect(refusal(check(stale))).toEqual({ status: 401, code: 'stale_signature' });
		expect(refusal(check('t0k3n'))).toEqual({ status: 401, code: 'unauthenticated' });
		expect(refusal(check(forTheirs, { id: 'shutdowntestpeer' }))).toEqual({ status: 400, code: 'bad_request' });
		// None of the refusals used up a nonce: the page's good token still opens.
		const good = await signalToken({ ...page, origin: ORIGIN, id, now });
		expect(check(good)()).toBe(page.publicKeyHex);
	});
});
