// Training receipts as a host builds them, for tests: each named contributor's signed
// statement of its update for the round (what the peer sends with its delta).
import { createHash, randomBytes } from 'node:crypto';
import { updateStatement, type UpdateProof } from '../../src/lib/protocol/training.js';
import type { NodeSigner } from './node-signer.js';

/** `signer`'s statement that it sent `delta` (random bytes by default) for this round of this session. */
export function updateProof(signer: NodeSigner, sessionId: string, round: number, delta: Uint8Array = randomBytes(64)): UpdateProof {
	const sha256 = createHash('sha256').update(delta).digest('hex');
	return { sha256, signature: signer.sign(new TextEncoder().encode(updateStatement(sessionId, round, sha256))) };
}

/** A receipt for `round` naming accepted contributors (with tokens) and rejected ones, each with its own statement. */
export function receiptFor(sessionId: string, round: number, accepted: readonly [NodeSigner, number][], rejected: readonly NodeSigner[] = []) {
	return {
		round,
		accepted: accepted.map(([s, tokens]) => ({ worker: s.publicKeyHex, tokens, update: updateProof(s, sessionId, round) })),
		rejected: rejected.map((s) => ({ worker: s.publicKeyHex, update: updateProof(s, sessionId, round) }))
	};
}
