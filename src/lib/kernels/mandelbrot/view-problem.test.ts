import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aboutNumber, maxZoomAt, minZoomAt, viewProblems } from './view-problem';

const VIEW = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 640, height: 480 };

describe('aboutNumber', () => {
	it('gives two significant digits, rounded the safe way, as zoom text', () => {
		expect(aboutNumber(9.507e28, 'down')).toBe('9.5e28');
		expect(aboutNumber(9.507e28, 'up')).toBe('9.6e28');
		expect(aboutNumber(0.4615, 'up')).toBe('0.47');
		expect(aboutNumber(1234, 'down')).toBe('1200');
		expect(aboutNumber(7, 'up')).toBe('7');
		expect(aboutNumber(0.00123, 'up')).toBe('0.0013');
		expect(aboutNumber(2e-5, 'up')).toBe('2e-5');
	});
});

describe('the limits it names are the renderer limits', () => {
	it('the deepest zoom named at a width renders, and twice it does not', () => {
		fc.assert(
			fc.property(fc.integer({ min: 16, max: 3840 }), (width) => {
				const view = { ...VIEW, width, height: 16 };
				const deepest = aboutNumber(maxZoomAt(width), 'down');
				expect(viewProblems({ ...view, zoom: deepest })).toEqual([]);
				expect(viewProblems({ ...view, zoom: String(2 * maxZoomAt(width)) })[0]?.message).toContain(`at most about ${deepest} at ${width} px wide`);
			}),
			{ numRuns: 60 }
		);
	});

	it('the shallowest zoom named for a centre renders', () => {
		fc.assert(
			fc.property(fc.double({ min: -3.9, max: 3.9, noNaN: true }), fc.double({ min: -3.9, max: 3.9, noNaN: true }), (re, im) => {
				const view = { ...VIEW, centerRe: re.toFixed(6), centerIm: im.toFixed(6), zoom: '0.01' };
				const [problem] = viewProblems(view);
				expect(problem?.field).toBe('zoom');
				const shallowest = aboutNumber(minZoomAt(view), 'up');
				expect(problem?.message).toContain(`at least about ${shallowest} here`);
				expect(viewProblems({ ...view, zoom: shallowest })).toEqual([]);
			}),
			{ numRuns: 60 }
		);
	});

	it('a centre outside ±4 is named on its own field', () => {
		expect(viewProblems({ ...VIEW, centerRe: '-4', centerIm: '9' })).toEqual([
			{ field: 'centerRe', message: 'Centre (real) must be between -4 and 4' },
			{ field: 'centerIm', message: 'Centre (imaginary) must be between -4 and 4' }
		]);
	});
});
