import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { groupDigits } from '../spec-words';
import { computeCountsCpu } from './cpu-twin';
import { decodeParams, MandelbrotParamsSchema } from './params';
import { iterationsFromProbe, planPreview, planProbe, PREVIEW_PIXELS_MAX, PREVIEW_WORK_MAX, uniformity, uniformWarning } from './preview';
import { MandelbrotSpecSchema, type MandelbrotSpecInput } from './spec';

const DEFAULT: MandelbrotSpecInput = { centerRe: '-0.743643887037151', centerIm: '0.131825904205330', zoom: '180', width: 640, height: 480, maxIter: 1500, tile: 128 };
const spec = (over: Partial<MandelbrotSpecInput> = {}) => v.parse(MandelbrotSpecSchema, { ...DEFAULT, ...over });

function run(plan: NonNullable<ReturnType<typeof planPreview>>) {
	return computeCountsCpu(decodeParams(plan.params));
}

describe('planPreview', () => {
	it('keeps the image shape and the worst case under the work bound, for any valid spec', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 16, max: 3840 }),
				fc.integer({ min: 16, max: 2160 }),
				fc.integer({ min: 16, max: 50_000 }),
				fc.constantFrom('1', '180', '1e6', '1e12', '1e16', '1e20'),
				(width, height, maxIter, zoom) => {
					const parsed = v.safeParse(MandelbrotSpecSchema, { ...DEFAULT, width, height, maxIter, zoom });
					if (!parsed.success) return; // too wide a view for a tall image, or too many pixels
					const plan = planPreview(parsed.output);
					if (!plan) return;
					expect(plan.work).toBeLessThanOrEqual(PREVIEW_WORK_MAX);
					expect(plan.w * plan.h).toBeLessThanOrEqual(PREVIEW_PIXELS_MAX);
					expect(v.safeParse(MandelbrotParamsSchema, plan.params).success).toBe(true);
					// Same shape, within a pixel's rounding (a one-pixel strip is as close as a few pixels get).
					if (Math.min(plan.w, plan.h) > 1) {
						expect(Math.abs(plan.w / plan.h - width / height) / (width / height)).toBeLessThanOrEqual(1 / Math.min(plan.w, plan.h) + 0.01);
					}
				}
			),
			{ numRuns: 200 }
		);
	});

	it('uses the most pixels at the default view and fewer as iterations grow', () => {
		const shallow = planPreview(spec())!;
		expect(shallow.w * shallow.h).toBeGreaterThan(1000);
		expect(shallow.w / shallow.h).toBeCloseTo(4 / 3, 1);
		const deep = planPreview(spec({ zoom: '1e12', maxIter: 20_000 }))!;
		expect(deep.w * deep.h).toBeLessThan(shallow.w * shallow.h);
	});

	it('declines when even a dozen pixels would cost too much', () => {
		expect(planPreview(spec({ zoom: '1e25', maxIter: 50_000 }))).toBeNull();
	});
});

describe('the preview of the reported views', () => {
	it('zoom 1e12 at 1,500 iterations is all black, and the probe says how many it needs', () => {
		const deep = spec({ zoom: '1e12' });
		const plan = planPreview(deep)!;
		const u = uniformity(run(plan), plan.maxIter);
		expect(u).toEqual({ kind: 'inside' });
		const probe = planProbe(deep)!;
		const warning = uniformWarning(u, deep.maxIter, { iterations: probe.maxIter, counts: run(probe) })!;
		expect(warning.text).toMatch(/^This view would come out a single colour: every preview pixel stays inside the set at 1,500 iterations/);
		// The deepest pixel of this view escapes by 4,273: the advice must clear it.
		expect(warning.raiseTo).toBeGreaterThanOrEqual(4273);
		expect(warning.text).toContain(`Raise max iterations to about ${groupDigits(warning.raiseTo!)}`);
		const raised = planPreview(spec({ zoom: '1e12', maxIter: warning.raiseTo! }))!;
		expect(uniformity(run(raised), raised.maxIter)).toEqual({ kind: 'varied' });
	});

	it('zoom 180 varies; a view off the set escapes uniformly and says to move', () => {
		const plan = planPreview(spec())!;
		expect(uniformity(run(plan), plan.maxIter)).toEqual({ kind: 'varied' });
		const far = spec({ centerRe: '2', centerIm: '2', zoom: '1000' });
		const farPlan = planPreview(far)!;
		const u = uniformity(run(farPlan), farPlan.maxIter);
		expect(u).toEqual({ kind: 'escaped', count: 1 });
		expect(uniformWarning(u, far.maxIter, null)?.text).toMatch(/escapes after exactly 1 iteration, so the view shows no detail\. Move the centre/);
	});
});

describe('uniformity and the probe', () => {
	it('tells varied, inside and same-escape apart', () => {
		expect(uniformity(Uint32Array.of(5, 5, 6), 10)).toEqual({ kind: 'varied' });
		expect(uniformity(Uint32Array.of(10, 10), 10)).toEqual({ kind: 'inside' });
		expect(uniformity(Uint32Array.of(7, 7, 7), 10)).toEqual({ kind: 'escaped', count: 7 });
		expect(uniformWarning({ kind: 'varied' }, 10, null)).toBeNull();
	});
	it('suggests half as many again as the latest escape, rounded up, or nothing when none escaped', () => {
		expect(iterationsFromProbe(Uint32Array.of(1969, 4273, 50_000), 50_000)).toBe(6500);
		expect(iterationsFromProbe(Uint32Array.of(49_999), 50_000)).toBe(50_000);
		expect(iterationsFromProbe(Uint32Array.of(3000, 3000), 3000)).toBeNull();
		expect(uniformWarning({ kind: 'inside' }, 1500, { iterations: 3000, counts: Uint32Array.of(3000) })?.text).toMatch(/Even at 3,000 iterations nothing escapes/);
	});
});
