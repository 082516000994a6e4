import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { leafHash, merkleProof, merkleRoot, verifyMerkleProof } from '../../verify/merkle';
import { estimatePi } from './assemble';
import { refereeStep, runChain, stepState } from './cpu-twin';
import type { McPiParams } from './params';
import { decodeState, encodeState, initialState } from './state';

const KAT: McPiParams = { seed: 12345, chain: 3, steps: 8, samplesPerStep: 1000 };

/** Small valid params: up to 64 steps of up to 512 samples. */
const smallParams = fc.record({
	seed: fc.nat(0xffffffff),
	chain: fc.nat(1023),
	steps: fc.integer({ min: 1, max: 6 }).map((k) => 2 ** k),
	samplesPerStep: fc.integer({ min: 64, max: 512 })
});

describe('runChain', () => {
	it('gives the pinned bytes for a fixed chain (known answer)', () => {
		const t = runChain(KAT);
		expect(bytesToHex(t.final)).toBe('080000005d180000'); // 8 steps, 6237 hits of 8000
		expect(t.states.map(bytesToHex)).toEqual([
			'0100000009030000',
			'020000000b060000',
			'030000000e090000',
			'040000000d0c0000',
			'050000002a0f0000',
			'0600000048120000',
			'0700000052150000',
			'080000005d180000'
		]);
		expect(bytesToHex(t.root)).toBe('73939ccf9df5dae36ba04a4e9ee4b8741f5b128ade03c5e91b241c7f78fd44e8');
	});

	it('estimates π within 0.01 from 2^20 samples', () => {
		const t = runChain({ seed: 7, chain: 0, steps: 16, samplesPerStep: 65_536 });
		expect(decodeState(t.final)).toMatchObject({ step: 16 });
		expect(Math.abs(estimatePi([t.final], 65_536) - Math.PI)).toBeLessThan(0.01);
	});

	it('commits to leafHash of every state, final = last state, root over the leaves', () => {
		fc.assert(
			fc.property(smallParams, (p) => {
				const t = runChain(p);
				expect(t.states).toHaveLength(p.steps);
				expect(t.final).toEqual(t.states[p.steps - 1]);
				t.states.forEach((s, i) => {
					expect(decodeState(s).step).toBe(i + 1);
					expect(t.leaves[i]).toEqual(leafHash(s));
				});
				expect(t.root).toEqual(merkleRoot(t.leaves));
				const k = p.chain % p.steps;
				expect(verifyMerkleProof(t.root, k, p.steps, t.leaves[k]!, merkleProof(t.leaves, k))).toBe(true);
			}),
			{ numRuns: 30 }
		);
	});

	it('is deterministic, and different chains and seeds give different traces', () => {
		expect(bytesToHex(runChain(KAT).root)).toBe(bytesToHex(runChain({ ...KAT }).root));
		expect(bytesToHex(runChain({ ...KAT, chain: 4 }).root)).not.toBe(bytesToHex(runChain(KAT).root));
		expect(bytesToHex(runChain({ ...KAT, seed: 12346 }).root)).not.toBe(bytesToHex(runChain(KAT).root));
	});

	it('honours abort and refuses bad params', () => {
		const ctl = new AbortController();
		ctl.abort();
		expect(() => runChain(KAT, ctl.signal)).toThrow(expect.objectContaining({ name: 'AbortError' }));
		for (const bad of [{ ...KAT, steps: 6 }, { ...KAT, chain: 1024 }, { ...KAT, extra: 1 }, { ...KAT, samplesPerStep: 65_536, steps: 2048 }, null]) {
			expect(() => runChain(bad), JSON.stringify(bad)).toThrow(v.ValiError);
		}
	});
});

describe('stepState and refereeStep', () => {
	it('refereeStep reproduces runChain at every index from the agreed prior state', () => {
		fc.assert(
			fc.property(smallParams, (p) => {
				const t = runChain(p);
				for (let index = 1; index <= p.steps; index++) {
					const prior = index === 1 ? null : t.states[index - 2]!;
					expect(refereeStep(p, index, prior)).toEqual(t.states[index - 1]);
					expect(stepState(p, prior ?? initialState(p))).toEqual(t.states[index - 1]);
				}
				expect(refereeStep(p, 1, initialState(p))).toEqual(t.states[0]);
			}),
			{ numRuns: 30 }
		);
	});

	it('refuse a prior from the wrong step, an unreachable or final state, a bad index', () => {
		const t = runChain(KAT);
		expect(() => refereeStep(KAT, 3, t.states[0]!)).toThrow(/after 1 steps/);
		expect(() => refereeStep(KAT, 2, null)).toThrow(RangeError);
		expect(() => refereeStep(KAT, 0, null)).toThrow(RangeError);
		expect(() => refereeStep(KAT, 9, t.states[7]!)).toThrow(RangeError);
		expect(() => refereeStep(KAT, 2.5, t.states[0]!)).toThrow(RangeError);
		expect(() => refereeStep(KAT, 2, encodeState({ step: 1, hits: 1001 }))).toThrow(/exceed/);
		expect(() => refereeStep(KAT, 2, new Uint8Array(7))).toThrow(RangeError);
		expect(() => stepState(KAT, t.final)).toThrow(/already completed/);
	});
});

describe('estimatePi', () => {
	it('is 4·Σhits/Σsamples over chains and refuses nonsense', () => {
		const finals = [encodeState({ step: 2, hits: 100 }), encodeState({ step: 2, hits: 50 })];
		expect(estimatePi(finals, 64)).toBe((4 * 150) / 256);
		expect(() => estimatePi([], 64)).toThrow(RangeError);
		expect(() => estimatePi([encodeState({ step: 1, hits: 65 })], 64)).toThrow(RangeError);
	});
});
