import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { formatCount, groupDigits, wholeNumber } from './spec-words';

describe('groupDigits', () => {
	it('groups every thousand', () => {
		expect(groupDigits(640)).toBe('640');
		expect(groupDigits(1500)).toBe('1,500');
		expect(groupDigits(50_000)).toBe('50,000');
	});
});

describe('formatCount', () => {
	it('groups thousands from five digits on', () => {
		expect(formatCount(16)).toBe('16');
		expect(formatCount(3840)).toBe('3840');
		expect(formatCount(50_000)).toBe('50,000');
		expect(formatCount(4_294_967_295)).toBe('4,294,967,295');
	});
});

describe('wholeNumber', () => {
	const schema = wholeNumber('Width', 16, 3840);
	const messages = (input: unknown) => {
		const r = v.safeParse(schema, input);
		return r.success ? [] : [...new Set(r.issues.map((i) => i.message))];
	};
	it('accepts the bounds', () => {
		expect(messages(16)).toEqual([]);
		expect(messages(3840)).toEqual([]);
	});
	it('says what is allowed for every way to miss', () => {
		for (const bad of [null, undefined, '', 'abc', '640', 640.5, -640, 0, 15, 3841, Number.NaN, Infinity, 2 ** 60]) {
			expect(messages(bad), String(bad)).toEqual(['Width must be a whole number from 16 to 3840']);
		}
	});
});
