import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { MandelbrotSpecSchema } from '$lib/kernels/mandelbrot/spec';
import { numberFromText } from './number-text';

describe('numberFromText', () => {
	it('reads plain numbers, keeps empty as null and anything else as typed', () => {
		expect(numberFromText(' 640 ')).toBe(640);
		expect(numberFromText('640.5')).toBe(640.5);
		expect(numberFromText('-640')).toBe(-640);
		expect(numberFromText('1e3')).toBe(1000);
		expect(numberFromText('')).toBeNull();
		expect(numberFromText('   ')).toBeNull();
		for (const odd of ['64O', 'abc', '0x10', 'Infinity', 'NaN', '1,500', '6 40']) expect(numberFromText(odd)).toBe(odd);
	});
	it('so letters in the width field reach the schema and come back as the width rule', () => {
		const base = { centerRe: '-0.5', centerIm: '0', zoom: '1', height: 480, maxIter: 1500, tile: 128 };
		const r = v.safeParse(MandelbrotSpecSchema, { ...base, width: numberFromText('64O') });
		expect(r.success ? [] : r.issues.map((i) => i.message)).toEqual(['Width must be a whole number from 16 to 3840']);
	});
});
