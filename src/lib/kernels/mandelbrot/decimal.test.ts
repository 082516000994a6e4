import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { divide, parseDecimal, roundHalfAway, toFixed } from './decimal';

describe('parseDecimal', () => {
	it('parses exactly', () => {
		expect(parseDecimal('-0.743643887037151')).toEqual({ num: -743643887037151n, den: 10n ** 15n });
		expect(parseDecimal('1e12')).toEqual({ num: 10n ** 12n, den: 1n });
		expect(parseDecimal('+2.5E-3')).toEqual({ num: 25n, den: 10000n });
		expect(parseDecimal('0')).toEqual({ num: 0n, den: 1n });
	});
	it('rejects non-decimals', () => {
		for (const bad of ['', '1.', '.5', 'NaN', 'Infinity', '0x10', '1e', '--1', '1 ']) {
			expect(() => parseDecimal(bad)).toThrow(RangeError);
		}
	});
	it('agrees with BigInt on integer text and scaling', () => {
		fc.assert(
			fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 20 }), (n, k) => {
				const r = parseDecimal(`${n}e-${k}`);
				expect(r.num * 10n ** BigInt(k)).toBe(n * r.den);
			})
		);
	});
});

describe('rounding', () => {
	it('rounds halves away from zero', () => {
		expect(roundHalfAway({ num: 5n, den: 2n })).toBe(3n);
		expect(roundHalfAway({ num: -5n, den: 2n })).toBe(-3n);
		expect(roundHalfAway({ num: 7n, den: 3n })).toBe(2n);
		expect(roundHalfAway({ num: -7n, den: 3n })).toBe(-2n);
		expect(toFixed(parseDecimal('-0.5'), 0)).toBe(-1n);
		expect(toFixed(parseDecimal('0.75'), 2)).toBe(3n);
	});
	it('is within half a unit and symmetric', () => {
		fc.assert(
			fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.bigInt({ min: 1n, max: 10n ** 12n }), (num, den) => {
				const q = roundHalfAway({ num, den });
				const err = 2n * (num - q * den); // 2·(r − q)·den
				expect(err <= den && err >= -den).toBe(true);
				expect(roundHalfAway({ num: -num, den })).toBe(-q);
			})
		);
	});
	it('divides exactly', () => {
		expect(divide({ num: 3n, den: 1n }, { num: -6n, den: 5n })).toEqual({ num: -15n, den: 6n });
		expect(() => divide({ num: 1n, den: 1n }, { num: 0n, den: 1n })).toThrow(RangeError);
	});
});
