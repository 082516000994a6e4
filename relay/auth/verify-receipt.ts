import type { Receipt } from '../../src/lib/protocol/auth.js';
import { canonicalReceiptBytes } from '../../src/lib/verify/canonical.js';
import { verifyEd25519 } from './ed25519-verify.js';

/**
 * True when the receipt's signature is the worker's over the canonical receipt encoding.
 * Validate with ReceiptSchema first; checking it against the lease and bytes is the caller's job.
 */
export function verifyReceipt(receipt: Receipt): boolean {
	let message: Uint8Array;
	try {
		message = canonicalReceiptBytes(receipt);
	} catch {
		return false;
	}
	return verifyEd25519(receipt.worker, message, receipt.signature);
}
