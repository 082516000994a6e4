// The whole kernel on the CPU twin, through the registries as any host runs it: split a job,
// compute every range, assemble, and compare with the closed form.
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { computeOnCpu } from '../compute-registry';
import { getKernel } from '../registry';
import { sumSquares } from './cpu-twin';
import { SumSquaresSpecSchema } from './spec';
import { decodeSum, encodeSum } from './sum';

/** Σ k² for 0 ≤ k < n = (n − 1)·n·(2n − 1) / 6. */
const below = (n: bigint) => ((n - 1n) * n * (2n * n - 1n)) / 6n;
const closedForm = (from: number, to: number) => (below(BigInt(to)) - below(BigInt(from))).toString();

async function runJob(spec: unknown) {
	const kernel = getKernel('sum-squares');
	if (!kernel) throw new Error('sum-squares is not registered');
	const parsed = v.parse(kernel.specSchema, spec);
	const tasks = kernel.split(parsed);
	const results = new Map<number, Uint8Array>();
	for (const t of tasks) {
		const out = await computeOnCpu(kernel.id, kernel.version, t.params);
		expect(out.bytes.length).toBe(t.resultBytes);
		results.set(t.idx, out.bytes);
	}
	return { kernel, parsed, tasks, results };
}

describe('sum-squares', () => {
	it('splits a job, computes every range on the CPU twin and assembles the exact sum', async () => {
		const { kernel, parsed, tasks, results } = await runJob({ from: 3, to: 65_536, chunk: 10_000 });
		expect(tasks.map((t) => t.params)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => ({ from: 3 + i * 10_000, to: Math.min(65_536, 3 + (i + 1) * 10_000) })));
		expect(tasks.map((t) => t.priceMicro)).toEqual([1, 1, 1, 1, 1, 1, 1]);
		const result = kernel.requester.assemble(parsed, results);
		expect(result).toEqual({ from: 3, to: 65_536, sum: closedForm(3, 65_536) });
		expect((await kernel.requester.render(result)).summary).toBe(`Σ k² for 3 ≤ k < 65536 = ${closedForm(3, 65_536)}`);
	});

	it('matches the closed form on any range', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 65_535 }), fc.integer({ min: 1, max: 65_536 }), (a, b) => {
				const [from, to] = a < b ? [a, b] : [b - 1, a + 1];
				expect(String(decodeSum(encodeSum(sumSquares({ from, to }))))).toBe(closedForm(from, to));
			}),
			{ numRuns: 60 }
		);
	});

	it('refuses a sum with a range missing, specs out of bounds, and params the WGSL cannot sum exactly', async () => {
		const { kernel, parsed, results } = await runJob({ from: 0, to: 100, chunk: 30 });
		results.delete(2);
		expect(() => kernel.requester.assemble(parsed, results)).toThrow(/range 2 has no verified result/);
		for (const bad of [{ from: 5, to: 5, chunk: 1 }, { from: 0, to: 65_537, chunk: 100 }, { from: 0, to: 2_000, chunk: 1 }, { from: 0, to: 10, chunk: 0 }, { from: 0, to: 10 }]) {
			expect(v.safeParse(SumSquaresSpecSchema, bad).success, JSON.stringify(bad)).toBe(false);
		}
		await expect(computeOnCpu('sum-squares', 1, { from: 10, to: 5 })).rejects.toThrow(/invalid sum-squares params/);
		await expect(computeOnCpu('sum-squares', 1, { from: 0, to: 65_537 })).rejects.toThrow(/invalid sum-squares params/);
		expect(() => decodeSum(new Uint8Array(4))).toThrow(RangeError);
	});
});
