import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { MandelbrotSpecSchema } from '../kernels/mandelbrot/spec';
import { issueDetails, messagesByField } from './spec-issues';

const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 640, height: 480, maxIter: 1500, tile: 128 };
const issues = (spec: unknown) => {
	const r = v.safeParse(MandelbrotSpecSchema, spec);
	return r.success ? [] : r.issues;
};

describe('issueDetails', () => {
	it('names each field once, even when several of its checks fail alike', () => {
		// -640.5 fails both "whole" and "at least 16": one message, said once.
		expect(issueDetails(issues({ ...SPEC, width: -640.5 }))).toEqual([{ path: 'width', message: 'Width must be a whole number from 16 to 3840' }]);
	});
	it('puts problems of the spec as a whole on a null path', () => {
		expect(issueDetails(issues({ ...SPEC, width: 3840, height: 3840 }))).toEqual([
			{ path: null, message: 'Width × height can be at most 8,294,400 pixels (4K: 3840 × 2160)' }
		]);
	});
});

describe('messagesByField', () => {
	it('keeps the first message per field and puts whole-spec problems under ""', () => {
		const details = [
			{ path: 'width', message: 'first' },
			{ path: 'width', message: 'second' },
			{ path: null, message: 'whole' },
			{ message: 'no path' },
			{ path: 'zoom', message: 7 },
			'junk',
			null
		];
		expect(messagesByField(details)).toEqual({ width: 'first', '': 'whole' });
	});
});
