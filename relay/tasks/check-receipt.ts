import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { ReceiptSchema, type Receipt } from '../../src/lib/protocol/auth.js';
import { decodeReceiptHeader } from '../../src/lib/verify/receipt.js';
import { DomainError } from '../domain-error.js';
import { verifyReceipt } from '../auth/verify-receipt.js';
import { REVEAL_HEADERS } from '../../src/lib/protocol/verification.js';
import { DISPUTE_PROOF_HASHES_MAX } from '../../src/lib/protocol/limits.js';

export const receiptError = (message: string) => new DomainError('receipt_mismatch', message);

/** Decodes and checks the receipt against the signer, the lease in the URL and the bytes. */
export function checkReceipt(header: string | undefined, worker: string, leaseId: string, bytes: Uint8Array): Receipt {
	if (!header) throw receiptError('missing x-mycelia-receipt header');
	let decoded: unknown;
	try {
		decoded = decodeReceiptHeader(header);
	} catch (err) {
		throw receiptError(`unreadable receipt: ${(err as Error).message}`);
	}
	const parsed = v.safeParse(ReceiptSchema, decoded);
	if (!parsed.success) throw receiptError(`malformed receipt: ${parsed.issues.map((i) => `${v.getDotPath(i) ?? ''} ${i.message}`).join('; ')}`);
	const receipt = parsed.output;
	if (receipt.worker !== worker) throw receiptError('the receipt is signed for another key than the request');
	if (receipt.leaseId !== leaseId) throw receiptError(`the receipt names lease ${receipt.leaseId}, not ${leaseId}`);
	if (!verifyReceipt(receipt)) throw receiptError('the receipt signature does not verify');
	const sha256 = createHash('sha256').update(bytes).digest('hex');
	if (sha256 !== receipt.sha256) throw receiptError(`the uploaded bytes hash to ${sha256}, the receipt says ${receipt.sha256}`);
	return receipt;
}


/** The salt and (bisect results only) Merkle root and final-leaf proof a reveal carries besides the receipt. */
export function checkRevealHeaders(salt: unknown, merkleRoot: unknown, finalProof: unknown): { salt: string; merkleRoot: string | null; finalProof: string[] | null } {
	if (typeof salt !== 'string' || !/^[0-9a-f]{32}$/.test(salt)) {
		throw new DomainError('commitment_mismatch', `a reveal needs the ${REVEAL_HEADERS.salt} header: the 32 hex characters committed to`);
	}
	if (merkleRoot !== undefined && (typeof merkleRoot !== 'string' || !/^[0-9a-f]{64}$/.test(merkleRoot))) {
		throw new DomainError('bad_request', `${REVEAL_HEADERS.merkleRoot} must be 64 lowercase hex characters`);
	}
	let proof: string[] | null = null;
	if (finalProof !== undefined) {
		proof = typeof finalProof === 'string' ? (finalProof === '' ? [] : finalProof.split(',')) : [];
		if (typeof finalProof !== 'string' || proof.length > DISPUTE_PROOF_HASHES_MAX || !proof.every((h) => /^[0-9a-f]{64}$/.test(h))) {
			throw new DomainError('bad_request', `${REVEAL_HEADERS.finalProof} must be at most ${DISPUTE_PROOF_HASHES_MAX} comma-separated 64-hex hashes`);
		}
	}
	return { salt, merkleRoot: typeof merkleRoot === 'string' ? merkleRoot : null, finalProof: proof };
}
