import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QUORUM, TASK_REPLICAS_MAX } from '../../src/lib/protocol/limits.js';
import { decideQuorum } from './quorum.js';

describe('decideQuorum', () => {
	it('accepts two agreeing keys and waits for a second replica', () => {
		expect(decideQuorum([{ worker: 'a', sha256: 'x' }], 2)).toEqual({ kind: 'pending' });
		expect(decideQuorum([{ worker: 'a', sha256: 'x' }, { worker: 'b', sha256: 'x' }], 2)).toEqual({
			kind: 'accept', sha256: 'x', payees: ['a', 'b'], agreeing: ['a', 'b'], rejected: []
		});
	});

	it('sends a disagreement to a third key and lets the majority win', () => {
		const two = [{ worker: 'a', sha256: 'x' }, { worker: 'liar', sha256: 'y' }];
		expect(decideQuorum(two, 2)).toEqual({ kind: 'dispute', replicasWanted: 3 });
		expect(decideQuorum([...two, { worker: 'c', sha256: 'x' }], 3)).toEqual({
			kind: 'accept', sha256: 'x', payees: ['a', 'c'], agreeing: ['a', 'c'], rejected: ['liar']
		});
	});

	it('accepts a single task (adaptive replication) on its one result', () => {
		expect(decideQuorum([], 1)).toEqual({ kind: 'pending' });
		expect(decideQuorum([{ worker: 'a', sha256: 'x' }], 1)).toEqual({ kind: 'accept', sha256: 'x', payees: ['a'], agreeing: ['a'], rejected: [] });
	});

	it('fails when no majority is possible within the replica limit', () => {
		const all = Array.from({ length: TASK_REPLICAS_MAX }, (_, i) => ({ worker: `w${i}`, sha256: `h${i}` }));
		expect(decideQuorum(all, TASK_REPLICAS_MAX).kind).toBe('fail');
	});

	it('never pays more than the quorum, and only workers with the accepted hash', () => {
		fc.assert(
			fc.property(
				fc.array(fc.constantFrom('h1', 'h2', 'h3'), { minLength: 0, maxLength: TASK_REPLICAS_MAX }),
				fc.integer({ min: 2, max: TASK_REPLICAS_MAX }),
				(hashes, wanted) => {
					const results = hashes.map((sha256, i) => ({ worker: `w${i}`, sha256 }));
					const d = decideQuorum(results, wanted);
					if (d.kind === 'accept') {
						expect(d.payees).toHaveLength(QUORUM);
						expect(d.agreeing.length + d.rejected.length).toBe(results.length);
						for (const p of d.payees) expect(results.find((r) => r.worker === p)?.sha256).toBe(d.sha256);
						for (const r of d.rejected) expect(results.find((x) => x.worker === r)?.sha256).not.toBe(d.sha256);
					} else {
						// Without an accepted hash, no hash may have reached the quorum.
						const counts = new Map<string, number>();
						for (const h of hashes) counts.set(h, (counts.get(h) ?? 0) + 1);
						for (const n of counts.values()) expect(n).toBeLessThan(QUORUM);
					}
				}
			)
		);
	});

	it('lets a trusted referee break a tie, even against a cartel that outnumbers the honest worker', () => {
		const tie = [{ worker: 'honest', sha256: 'x' }, { worker: 'cartel1', sha256: 'y' }];
		expect(decideQuorum([...tie, { worker: 'ref', sha256: 'x', trusted: true }], 3)).toEqual({
			kind: 'accept', sha256: 'x', payees: ['ref', 'honest'], agreeing: ['honest', 'ref'], rejected: ['cartel1']
		});
		// Two cartel members agree, but the referee's answer decides.
		const cartel = [{ worker: 'honest', sha256: 'x' }, { worker: 'c1', sha256: 'y' }, { worker: 'c2', sha256: 'y' }];
		const d = decideQuorum([...cartel, { worker: 'ref', sha256: 'x', trusted: true }], 4);
		expect(d).toMatchObject({ kind: 'accept', sha256: 'x', rejected: ['c1', 'c2'] });
		// Neither replica matches the referee: only the referee is paid.
		expect(decideQuorum([{ worker: 'a', sha256: 'p' }, { worker: 'b', sha256: 'q' }, { worker: 'ref', sha256: 'r', trusted: true }], 3)).toEqual({
			kind: 'accept', sha256: 'r', payees: ['ref'], agreeing: ['ref'], rejected: ['a', 'b']
		});
	});

	it('never rejects the hash a trusted referee gave, and pays at most the quorum', () => {
		fc.assert(
			fc.property(
				fc.array(fc.record({ sha256: fc.constantFrom('h1', 'h2', 'h3'), trusted: fc.boolean() }), { minLength: 1, maxLength: TASK_REPLICAS_MAX }),
				(rs) => {
					const results = rs.map((r, i) => ({ worker: `w${i}`, ...r }));
					const d = decideQuorum(results, results.length);
					const first = results.find((r) => r.trusted);
					if (!first) return;
					expect(d.kind).toBe('accept');
					if (d.kind !== 'accept') return;
					expect(d.sha256).toBe(first.sha256);
					expect(d.payees[0]).toBe(first.worker);
					expect(d.payees.length).toBeLessThanOrEqual(QUORUM);
					expect(d.rejected).not.toContain(first.worker);
				}
			)
		);
	});
});
