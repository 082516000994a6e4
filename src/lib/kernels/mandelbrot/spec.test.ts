// Every refusal says, in words, which field is wrong and what it allows; a bad field never
// raises another field's message, and the view check never throws on a half-valid spec.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { issueDetails } from '../../protocol/spec-issues';
import { MandelbrotSpecSchema } from './spec';

const SPEC = { centerRe: '-0.743643887037151', centerIm: '0.131825904205330', zoom: '180', width: 640, height: 480, maxIter: 1500, tile: 128 };
const WIDTH = 'Width must be a whole number from 16 to 3840';
const HEIGHT = 'Height must be a whole number from 16 to 3840';
const ITERATIONS = 'Max iterations must be a whole number from 16 to 50,000';
const ZOOM = 'Zoom must be a positive number such as 180 or 1e12';

/** Field → messages, as the relay's details and the form's errors carry them. */
function problems(change: Record<string, unknown>): Record<string, string[]> {
	const r = v.safeParse(MandelbrotSpecSchema, { ...SPEC, ...change });
	const out: Record<string, string[]> = {};
	if (r.success) return out;
	for (const d of issueDetails(r.issues)) (out[d.path ?? ''] ??= []).push(d.message);
	return out;
}

describe('mandelbrot spec messages', () => {
	it('accepts the form defaults', () => {
		expect(problems({})).toEqual({});
	});

	it('width and height: a whole number in range, whatever was typed', () => {
		for (const width of [640.5, -640, 0, 15, 3841, null, undefined, '', 'abc', '640px', Number.NaN]) {
			expect(problems({ width }), String(width)).toEqual({ width: [WIDTH] });
		}
		expect(problems({ height: -480.5 })).toEqual({ height: [HEIGHT] });
	});

	it('max iterations: a whole number from 16 to 50,000', () => {
		for (const maxIter of [null, '', 'many', 1500.5, 0, -1, 15, 50_001]) {
			expect(problems({ maxIter }), String(maxIter)).toEqual({ maxIter: [ITERATIONS] });
		}
	});

	it('zoom: a positive number; 0, negatives, empty and letters all say so', () => {
		for (const zoom of ['0', '-5', '0e10', '', 'abc', '1e12x', null, 180]) {
			expect(problems({ zoom }), String(zoom)).toEqual({ zoom: [ZOOM] });
		}
	});

	it('centre: a decimal number between -4 and 4', () => {
		expect(problems({ centerRe: 'minus one' })).toEqual({ centerRe: ['Centre (real) must be a decimal number such as -0.7436, with at most 60 decimals'] });
		expect(problems({ centerIm: '4.5' })).toEqual({ centerIm: ['Centre (imaginary) must be between -4 and 4'] });
	});

	it('a too-deep zoom names the deepest zoom at this width, in plain numbers', () => {
		const got = problems({ zoom: '1e30' });
		expect(got).toEqual({ zoom: ['Zoom can be at most about 9.5e28 at 640 px wide: deeper views need more precision than the renderer has'] });
		expect(got.zoom?.[0]).not.toMatch(/bits|pixel\b/);
		// The limit moves with the width, and the number it names is allowed.
		expect(problems({ zoom: '1e30', width: 3840, height: 2160 }).zoom).toEqual([
			'Zoom can be at most about 1.5e28 at 3840 px wide: deeper views need more precision than the renderer has'
		]);
		expect(problems({ zoom: '9.5e28' })).toEqual({});
	});

	it('a zoomed-out view says how far it may zoom out', () => {
		expect(problems({ zoom: '0.1' })).toEqual({
			zoom: ['Zoom must be at least about 0.47 here: a wider view would reach past ±4, outside the area the renderer draws']
		});
		expect(problems({ zoom: '0.47' })).toEqual({});
	});

	it('a bad field raises only its own message: no zoom error for a negative width, no exceptions', () => {
		// Each of these once reached the view check: "zoom too deep", a BigInt TypeError, "division by zero".
		expect(problems({ width: -640, zoom: '1e12' })).toEqual({ width: [WIDTH] });
		expect(problems({ width: 640.5, zoom: '1e12' })).toEqual({ width: [WIDTH] });
		expect(problems({ width: 0 })).toEqual({ width: [WIDTH] });
		expect(problems({ width: 3840, height: 3840.5 })).toEqual({ height: [HEIGHT] });
		// A field outside the view does not hide a view problem, nor cause one.
		expect(problems({ maxIter: null, zoom: '1e30' })).toEqual({
			maxIter: [ITERATIONS],
			zoom: ['Zoom can be at most about 9.5e28 at 640 px wide: deeper views need more precision than the renderer has']
		});
	});

	it('too many pixels is a problem of the whole image', () => {
		expect(problems({ width: 3840, height: 3840 })).toEqual({ '': ['Width × height can be at most 8,294,400 pixels (4K: 3840 × 2160)'] });
		expect(problems({ width: 3840, height: 2160 })).toEqual({});
	});

	it('names unknown fields and tile sizes', () => {
		expect(problems({ tile: 100 })).toEqual({ tile: ['Tile size must be 64, 128 or 256'] });
		expect(Object.keys(problems({ colour: 'red' }))).toEqual(['colour']);
	});
});
