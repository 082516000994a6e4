import { hexToBytes, bytesToHex } from '@noble/hashes/utils.js';
import type { DisputeAnswer, DisputeView } from '../../src/lib/protocol/disputes.js';
import { leafHash, verifyMerkleProofHex } from '../../src/lib/verify/merkle.js';
import { DomainError } from '../domain-error.js';
import type { Db } from '../store/db.js';
import { int } from '../store/db.js';
import { disputeView, lockDispute, type Side } from './dispute-row.js';

/**
 * One side's answer to this round's question: the state after `ask` steps, and the proof that
 * its leaf is leaf `ask` under the root that side committed to. When both have answered, the
 * relay compares the two leaves (equal: they agree up to `ask`; different: they disagree by
 * then), halves the interval and asks again; at hi = lo + 1 the dispute waits for a referee.
 * The relay only hashes and compares; it runs nothing.
 */
export async function answerDispute(db: Db, worker: string, id: string, answer: DisputeAnswer, now: number, roundMs: number): Promise<DisputeView> {
	return db.transaction(async (tx) => {
		const d = await lockDispute(tx, id);
		if (!d) throw new DomainError('not_found', `no dispute ${id}`);
		const side: Side | null = worker === d.worker_a ? 'a' : worker === d.worker_b ? 'b' : null;
		if (!side) throw new DomainError('forbidden', `this key is not a side of dispute ${id}`);
		if (d.state !== 'bisecting') throw new DomainError('dispute_closed', `dispute ${id} is ${d.state}, it asks nothing more of its sides`);
		if (int(d.deadline) <= now) throw new DomainError('dispute_closed', `the answer to round ${int(d.rounds) + 1} of dispute ${id} was due at ${int(d.deadline)}`);
		const ask = int(d.ask);
		if (answer.index !== ask) throw new DomainError('conflict', `dispute ${id} asks for the state after ${ask} steps, not ${answer.index}`);
		const state = hexToBytes(answer.state);
		const leaf = bytesToHex(leafHash(state));
		const steps = int(d.steps);
		const root = side === 'a' ? d.root_a : d.root_b;
		if (!verifyMerkleProofHex(root, ask - 1, steps, leaf, answer.proof)) {
			throw new DomainError('bad_request', `that state's leaf does not lead to the root this key committed to (${root.slice(0, 12)}…) at step ${ask}`);
		}
		const mine = side === 'a' ? d.leaf_a : d.leaf_b;
		if (mine !== null) {
			if (mine !== leaf) throw new DomainError('conflict', `this key already answered round ${int(d.rounds) + 1} of dispute ${id} with another state`);
			return disputeView(d);
		}
		if (side === 'a') [d.leaf_a, d.state_a] = [leaf, answer.state];
		else [d.leaf_b, d.state_b] = [leaf, answer.state];
		if (d.leaf_a !== null && d.leaf_b !== null) {
			let lo = int(d.lo);
			let hi = int(d.hi);
			if (d.leaf_a === d.leaf_b) {
				lo = ask;
				d.lo_state = d.state_a;
			} else {
				hi = ask;
				d.hi_leaf_a = d.leaf_a;
				d.hi_leaf_b = d.leaf_b;
			}
			d.lo = lo;
			d.hi = hi;
			d.rounds = int(d.rounds) + 1;
			d.ask = hi - lo > 1 ? Math.floor((lo + hi) / 2) : null;
			d.state = d.ask === null ? 'refereeing' : 'bisecting';
			d.deadline = now + roundMs;
			d.leaf_a = d.state_a = d.leaf_b = d.state_b = null;
		}
		await tx.query(
			`UPDATE disputes SET lo = $2, hi = $3, lo_state = $4, hi_leaf_a = $5, hi_leaf_b = $6, rounds = $7, ask = $8, state = $9, deadline = $10,
				leaf_a = $11, state_a = $12, leaf_b = $13, state_b = $14 WHERE id = $1`,
			[d.id, d.lo, d.hi, d.lo_state, d.hi_leaf_a, d.hi_leaf_b, d.rounds, d.ask, d.state, d.deadline, d.leaf_a, d.state_a, d.leaf_b, d.state_b]
		);
		return disputeView(d);
	});
}
