import { utf8ToBytes } from '@noble/hashes/utils.js';
import { sha256Hex } from './sha256.js';

export interface CommitmentInput {
	leaseId: string;
	/** SHA-256 hex of the result bytes. */
	sha256: string;
	/** Bisect-class results: the Merkle root hex; null otherwise. */
	merkleRoot: string | null;
	/** 32 hex characters the worker keeps secret until it reveals. */
	salt: string;
}

/**
 * The commitment a worker sends before revealing its result. Bound to the lease (so copying
 * another worker's commitment is useless) and salted (so nobody holding a guess can test it).
 */
export function resultCommitment(c: CommitmentInput): string {
	return sha256Hex(utf8ToBytes(['mycelia-commit/1', c.leaseId, c.sha256, c.merkleRoot ?? '-', c.salt].join('\n')));
}
