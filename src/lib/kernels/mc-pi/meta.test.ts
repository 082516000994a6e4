import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { KERNEL_SPEC_SCHEMAS } from '../../protocol/jobs';
import { getKernel, KERNELS } from '../registry';
import { mcPiMeta, priceChainMicro } from './meta';
import { McPiSpecSchema, chainSamplesOk, type McPiSpecInput } from './spec';

const base: McPiSpecInput = { seed: 42, chains: 4, steps: 16, samplesPerStep: 4096 };

function messages(spec: unknown): string[] {
	const r = v.safeParse(McPiSpecSchema, spec);
	return r.success ? [] : r.issues.map((i) => i.message);
}

describe('spec checks', () => {
	it('accepts the bounds and refuses everything else with a readable reason', () => {
		expect(messages(base)).toEqual([]);
		// The largest chain, 1024 × 65,536, is exactly 2^26 samples: the field bounds already imply the
		// product bound, which stays as its own check in case they ever move.
		expect(messages({ seed: 0xffffffff, chains: 1024, steps: 1024, samplesPerStep: 65_536 })).toEqual([]);
		expect(chainSamplesOk({ steps: 2048, samplesPerStep: 65_536 })).toBe(false);
		expect(messages({ seed: 0, chains: 1, steps: 1024, samplesPerStep: 65_536 / 1024 })).toEqual([]);
		const SEED = 'Seed must be a whole number from 0 to 4,294,967,295';
		const CHAINS = 'Chains must be a whole number from 1 to 1024';
		const STEPS = 'Steps per chain must be a power of two from 2 to 1024 (2, 4, 8, … 1024)';
		const SAMPLES = 'Samples per step must be a whole number from 64 to 65,536';
		const cases: [Partial<Record<string, unknown>>, string][] = [
			[{ seed: -1 }, SEED],
			[{ seed: 2 ** 32 }, SEED],
			[{ seed: 1.5 }, SEED],
			[{ seed: null }, SEED],
			[{ seed: '1' }, SEED],
			[{ chains: 0 }, CHAINS],
			[{ chains: 1025 }, CHAINS],
			[{ chains: 'many' }, CHAINS],
			[{ steps: 1 }, STEPS],
			[{ steps: 12 }, STEPS],
			[{ steps: 2048 }, STEPS],
			[{ samplesPerStep: 63 }, SAMPLES],
			[{ samplesPerStep: 65_537 }, SAMPLES],
			[{ samplesPerStep: 100.5 }, SAMPLES],
			// A bad field raises only its own message, not the product check it feeds.
			[{ steps: 2048, samplesPerStep: 65_536 }, STEPS],
			[{ extra: true }, 'A Monte Carlo π spec has exactly the fields seed, chains, steps and samplesPerStep']
		];
		for (const [bad, why] of cases) {
			expect([...new Set(messages({ ...base, ...bad }))], JSON.stringify(bad)).toEqual([why]);
		}
	});
});

describe('split', () => {
	it('makes one task per chain, with 8-byte results, prices, and params its own schema accepts', () => {
		fc.assert(
			fc.property(
				fc.nat(0xffffffff),
				fc.integer({ min: 1, max: 1024 }),
				fc.integer({ min: 1, max: 10 }).map((k) => 2 ** k),
				fc.integer({ min: 64, max: 65_536 }),
				(seed, chains, steps, samples) => {
					const samplesPerStep = Math.min(samples, 2 ** 26 / steps);
					const spec = v.parse(McPiSpecSchema, { seed, chains, steps, samplesPerStep });
					const tasks = mcPiMeta.split(spec);
					expect(JSON.stringify(mcPiMeta.split(spec))).toBe(JSON.stringify(tasks));
					expect(tasks).toHaveLength(chains);
					tasks.forEach((t, i) => {
						expect(t).toEqual({
							idx: i,
							params: { seed, chain: i, steps, samplesPerStep },
							rect: { x: i, y: 0, w: 1, h: 1 },
							resultBytes: 8,
							priceMicro: Math.ceil((steps * samplesPerStep) / 10_000)
						});
						expect(v.parse(mcPiMeta.paramsSchema, JSON.parse(JSON.stringify(t.params)))).toEqual(t.params);
						expect(mcPiMeta.bisectSteps?.(t.params)).toBe(steps);
					});
				}
			),
			{ numRuns: 40 }
		);
	});

	it('prices 1 µcr per 10,000 samples, rounded up', () => {
		expect(priceChainMicro(2, 64)).toBe(1);
		expect(priceChainMicro(1024, 65_536)).toBe(Math.ceil(2 ** 26 / 10_000));
		expect(priceChainMicro(16, 625)).toBe(1);
		expect(priceChainMicro(16, 626)).toBe(2);
	});
});

describe('registration', () => {
	it('is in the registry and the protocol spec map as a bisect kernel', () => {
		expect(getKernel('mc-pi')).toBe(KERNELS['mc-pi']);
		expect(mcPiMeta).toMatchObject({ id: 'mc-pi', version: 1, verification: 'bisect' });
		expect(KERNEL_SPEC_SCHEMAS['mc-pi']).toBe(McPiSpecSchema);
	});
});
