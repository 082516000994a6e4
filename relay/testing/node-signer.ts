import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { AUTH_HEADERS, type Receipt, type UnsignedReceipt } from '../../src/lib/protocol/auth.js';
import { PROTOCOL_VERSION } from '../../src/lib/protocol/version.js';
import { canonicalReceiptBytes, canonicalRequestBytes } from '../../src/lib/verify/canonical.js';

/**
 * An ed25519 identity signed with node:crypto, for tests and benches that play many workers in
 * one process. It signs the same canonical bytes as the browser (src/lib/verify/canonical.ts).
 */
export class NodeSigner {
	readonly publicKeyHex: string;
	readonly secretKey: Uint8Array;
	private readonly key: KeyObject;

	constructor(seed: Uint8Array = randomBytes(32)) {
		// PKCS#8 DER prefix for a raw 32-byte ed25519 seed.
		const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seed)]);
		this.key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
		this.secretKey = new Uint8Array(seed);
		const spki = createPublicKey(this.key).export({ format: 'der', type: 'spki' });
		this.publicKeyHex = spki.subarray(spki.length - 32).toString('hex');
	}

	headers(origin: string, method: string, path: string, body: Uint8Array, now = Date.now()): Record<string, string> {
		const nonce = randomBytes(16).toString('hex');
		const message = canonicalRequestBytes({
			origin,
			method,
			path,
			bodySha256: createHash('sha256').update(body).digest('hex'),
			timestamp: now,
			nonce
		});
		return {
			[AUTH_HEADERS.version]: String(PROTOCOL_VERSION),
			[AUTH_HEADERS.key]: this.publicKeyHex,
			[AUTH_HEADERS.timestamp]: String(now),
			[AUTH_HEADERS.nonce]: nonce,
			[AUTH_HEADERS.signature]: sign(null, message, this.key).toString('hex')
		};
	}

	receipt(unsigned: Omit<UnsignedReceipt, 'worker'>): Receipt {
		const full: UnsignedReceipt = { ...unsigned, worker: this.publicKeyHex };
		return { ...full, signature: sign(null, canonicalReceiptBytes(full), this.key).toString('hex') };
	}

	/** A signature of arbitrary bytes, in hex (statements a peer signs, such as a training update's). */
	sign(message: Uint8Array): string {
		return sign(null, message, this.key).toString('hex');
	}
}
