import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainKey, mix32, sampleHit, stepHits } from './rng';

// An independent BigInt spelling of lowbias32 and the sample rule, to pin rng.ts's u32 tricks.
const M = (1n << 32n) - 1n;
function mixBig(x: bigint): bigint {
	x ^= x >> 16n;
	x = (x * 0x7feb352dn) & M;
	x ^= x >> 15n;
	x = (x * 0x846ca68bn) & M;
	x ^= x >> 16n;
	return x;
}
function hitBig(a: bigint, n: bigint): number {
	const x = mixBig(a ^ mixBig(2n * n)) >> 16n;
	const y = mixBig(a ^ mixBig(2n * n + 1n)) >> 16n;
	return x * x + y * y < 1n << 32n ? 1 : 0;
}

describe('counter-based RNG', () => {
	it('mix32 is lowbias32 on u32', () => {
		expect([0, 1, 2, 0xffffffff, 0x12345678].map(mix32)).toEqual([0, 0x688990c0, 0xd1132181, 0x6768824a, 0xf5e71c96]);
		fc.assert(
			fc.property(fc.nat(0xffffffff), (x) => {
				expect(BigInt(mix32(x))).toBe(mixBig(BigInt(x)));
			})
		);
	});

	it('chainKey and sampleHit match the BigInt spelling for every chain key and sample index', () => {
		fc.assert(
			fc.property(fc.nat(0xffffffff), fc.nat(1023), fc.nat(2 ** 26 - 1), (seed, chain, n) => {
				const a = chainKey(seed, chain);
				expect(BigInt(a)).toBe(mixBig(BigInt(seed) ^ mixBig(BigInt(chain))));
				expect(sampleHit(a, n)).toBe(hitBig(BigInt(a), BigInt(n)));
			})
		);
	});

	it('stepHits counts the samples n = step·S + j, j < S', () => {
		const a = chainKey(9, 4);
		let hits = 0;
		for (let j = 0; j < 100; j++) hits += hitBig(BigInt(a), BigInt(3 * 100 + j));
		expect(stepHits(a, 3, 100)).toBe(hits);
	});
});
