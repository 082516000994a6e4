// In real Chromium: the preview is the CPU twin's exact counts, coloured as the render will be,
// it warns about the all-black view the tester paid for, and it prints how long it takes.
import * as v from 'valibot';
import { afterAll, describe, expect, it } from 'vitest';
import { colourize } from '$lib/kernels/mandelbrot/colour';
import { computeCountsCpu } from '$lib/kernels/mandelbrot/cpu-twin';
import { decodeParams } from '$lib/kernels/mandelbrot/params';
import { planPreview } from '$lib/kernels/mandelbrot/preview';
import { MandelbrotSpecSchema } from '$lib/kernels/mandelbrot/spec';
import { suggestedMaxIter } from '$lib/kernels/mandelbrot/suggested-iterations';
import { ViewPreviewer } from './view-preview';

const DEFAULT = { centerRe: '-0.743643887037151', centerIm: '0.131825904205330', zoom: '180', width: 640, height: 480, maxIter: 1500, tile: 128 };
const spec = (over: Partial<typeof DEFAULT>) => v.parse(MandelbrotSpecSchema, { ...DEFAULT, ...over });
/** Far above the bound's ~50 ms on a laptop: only a preview gone unbounded fails it on a busy machine. */
const PREVIEW_MS_MAX = 2_000;

const previewer = new ViewPreviewer();
afterAll(() => previewer.dispose());

let cold = true;
async function timed(label: string, over: Partial<typeof DEFAULT>) {
	const s = spec(over);
	if (cold) {
		// The first preview in a fresh worker runs cold (unoptimised) code: printed, then timed warm.
		console.log(`[preview] ${label}, first in a fresh worker: ${(await previewer.preview(s))?.ms.toFixed(1)} ms`);
		cold = false;
	}
	const p = await previewer.preview(s);
	if (!p) throw new Error(`${label}: no preview`);
	console.log(`[preview] ${label}: ${p.w}×${p.h} px at ${p.maxIter} iterations in ${p.ms.toFixed(1)} ms${p.warning ? ' (single colour)' : ''}`);
	expect(p.ms).toBeLessThan(PREVIEW_MS_MAX);
	return { s, p };
}

describe('view preview', () => {
	it('zoom 180 with its default 1,500 iterations: the twin’s exact colours, no warning', async () => {
		const { s, p } = await timed('zoom 180, 1500 iterations', { zoom: '180', maxIter: suggestedMaxIter(180) });
		const plan = planPreview(s)!;
		expect(p.rgba).toEqual(colourize(computeCountsCpu(decodeParams(plan.params)), plan.maxIter));
		expect(p.warning).toBeNull();
	});

	it('zoom 1e12 at 1,500 iterations warns, with the iterations it needs; its suggested default does not', async () => {
		const { p } = await timed('zoom 1e12, 1500 iterations', { zoom: '1e12', maxIter: 1500 });
		expect(p.warning?.text).toMatch(/single colour: every preview pixel stays inside the set at 1,500 iterations/);
		expect(p.warning?.raiseTo).toBeGreaterThan(1969);
		const { p: suggested } = await timed(`zoom 1e12, suggested ${suggestedMaxIter(1e12)} iterations`, { zoom: '1e12', maxIter: suggestedMaxIter(1e12) });
		expect(suggested.warning).toBeNull();
	});
});
