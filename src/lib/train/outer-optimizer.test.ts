import { describe, expect, it } from 'vitest';
import { NesterovOuter, weightedAverage } from './outer-optimizer';

describe('outer optimiser', () => {
	it('with lr 1 and no momentum it applies the averaged delta', () => {
		const p = Float32Array.from([1, 2, 3]);
		new NesterovOuter(3, { lr: 1, momentum: 0 }).step(p, Float32Array.from([0.5, -1, 0]));
		expect(Array.from(p)).toEqual([1.5, 1, 3]);
	});

	it('momentum carries the last direction into the next step', () => {
		const p = new Float32Array(1);
		const o = new NesterovOuter(1, { lr: 1, momentum: 0.5 });
		o.step(p, Float32Array.from([1])); // v = -1, step = -(-1 + 0.5·-1) = 1.5
		expect(p[0]).toBeCloseTo(1.5);
		o.step(p, new Float32Array(1)); // v = -0.5, step = 0.25
		expect(p[0]).toBeCloseTo(1.75);
	});

	it('averages by tokens', () => {
		const a = weightedAverage([{ delta: Float32Array.from([1]), weight: 3 }, { delta: Float32Array.from([5]), weight: 1 }], 1);
		expect(a[0]).toBeCloseTo(2);
	});
});
