import * as ed from '@noble/ed25519';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vectors from '../../test/samples/signature-vectors.json';
import { KEY_CACHE_ENTRIES_MAX, keyCacheSize, verifyEd25519 } from './ed25519-verify.js';

const secretKey = fc.uint8Array({ minLength: 32, maxLength: 32 });
const message = fc.uint8Array({ maxLength: 1024 });

describe('verifyEd25519 (node:crypto)', () => {
	it('accepts the RFC 8032 TEST 1 signature of the empty message', () => {
		const signature =
			'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
		expect(verifyEd25519('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', new Uint8Array(0), signature)).toBe(true);
	});

	it('agrees with noble: whatever noble signs, node verifies, and a changed message fails both', async () => {
		await fc.assert(
			fc.asyncProperty(secretKey, message, fc.nat(), async (sk, msg, at) => {
				const pk = bytesToHex(await ed.getPublicKeyAsync(sk));
				const sig = bytesToHex(await ed.signAsync(msg, sk));
				expect(verifyEd25519(pk, msg, sig)).toBe(true);
				const changed = Uint8Array.from([...msg, 0]);
				if (msg.length > 0) changed.set([msg[at % msg.length]! ^ 1], at % msg.length);
				expect(verifyEd25519(pk, changed, sig)).toBe(false);
				expect(await ed.verifyAsync(hexToBytes(sig), changed, hexToBytes(pk))).toBe(false);
			}),
			{ numRuns: 200 }
		);
	});

	it('rejects random signatures, as noble does', async () => {
		await fc.assert(
			fc.asyncProperty(secretKey, message, fc.uint8Array({ minLength: 64, maxLength: 64 }), async (sk, msg, sig) => {
				const pk = await ed.getPublicKeyAsync(sk);
				expect(verifyEd25519(bytesToHex(pk), msg, bytesToHex(sig))).toBe(false);
				expect(await ed.verifyAsync(sig, msg, pk)).toBe(false);
			}),
			{ numRuns: 100 }
		);
	});

	it('returns false, never throws, for malformed keys and signatures', () => {
		const good = vectors.receipts[0]!.receipt;
		const msg = new Uint8Array(0);
		for (const [key, sig] of [
			['', good.signature],
			[good.worker.toUpperCase(), good.signature],
			[good.worker.slice(2), good.signature],
			['zz' + good.worker.slice(2), good.signature],
			[good.worker, good.signature.slice(2)],
			[good.worker, 'g' + good.signature.slice(1)],
			['ff'.repeat(32), good.signature], // not a point on the curve
			[good.worker, 'ff'.repeat(64)] // S far above the group order
		] as const) {
			expect(verifyEd25519(key, msg, sig)).toBe(false);
		}
	});

	it('keeps at most KEY_CACHE_ENTRIES_MAX key objects', () => {
		const sig = '00'.repeat(64);
		for (let i = 0; i <= KEY_CACHE_ENTRIES_MAX + 10; i++) verifyEd25519(i.toString(16).padStart(64, '0'), new Uint8Array(0), sig);
		expect(keyCacheSize()).toBe(KEY_CACHE_ENTRIES_MAX);
	});
});
