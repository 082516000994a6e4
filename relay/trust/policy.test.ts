import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROBATION_STAKE_GROWTH, probationStakeMicro, SPOT_CHECK_FLOOR, spotCheckProbability } from './policy.js';

describe('probation stake', () => {
	it('asks nothing before a first invalid result, the base after it, tenfold after each further one', () => {
		expect(probationStakeMicro(0, 1_000_000)).toBe(0);
		expect(probationStakeMicro(1, 1_000_000)).toBe(1_000_000);
		expect(probationStakeMicro(2, 1_000_000)).toBe(PROBATION_STAKE_GROWTH * 1_000_000);
		expect(probationStakeMicro(3, 1_000_000)).toBe(PROBATION_STAKE_GROWTH ** 2 * 1_000_000);
	});

	it('never falls as catches add up and stays a safe integer', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 0, max: 1_000_000_000_000 }), (n, base) => {
				const a = probationStakeMicro(n, base);
				const b = probationStakeMicro(n + 1, base);
				expect(Number.isSafeInteger(a)).toBe(true);
				expect(b).toBeGreaterThanOrEqual(a);
			})
		);
	});
});

describe('spot-check probability', () => {
	it('replicates everything during the warm-up, then falls towards the floor and never below it', () => {
		expect(spotCheckProbability(9, 10)).toBe(1);
		expect(spotCheckProbability(20, 10)).toBe(0.5);
		fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), (streak) => spotCheckProbability(streak, 10) >= SPOT_CHECK_FLOOR));
	});
});
