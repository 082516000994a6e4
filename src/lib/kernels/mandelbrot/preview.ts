// A quick, low-resolution look at a view before anyone pays for it: the same view rendered
// exactly (the CPU twin's counts) at a handful of pixels, sized so its worst case stays cheap,
// and the words for a view that would come out one flat colour.
import { groupDigits } from '../spec-words';
import { TILE_SIDE_MAX, type MandelbrotParams } from './params';
import { ITERATIONS_MAX, type MandelbrotSpec } from './spec';
import { planView, ViewError } from './view';

/**
 * Worst-case work of one preview, in pixel-iterations weighted by ITERATION_COST. 3M is about
 * 50 ms for the f64 paths on a laptop core in Chromium, so a phone three or four times slower
 * stays near 200 ms (view-preview.browser.test.ts prints the figures).
 */
export const PREVIEW_WORK_MAX = 3_000_000;
export const PREVIEW_PIXELS_MAX = 64 * 48;
/** Fewer pixels than this say too little to judge a view by: no preview instead. */
const PREVIEW_PIXELS_MIN = 12;
/** The probe that looks for the iterations an all-black view needs: a few pixels, many iterations. */
const PROBE_PIXELS_MAX = 16;
/**
 * Cost of one iteration on the CPU twin by limb count (index N), relative to N = 2, 3: the f64
 * paths for N ≤ 4, four f64 limbs for N = 5, 6, and 16-bit limb arrays for N = 7, 8 (measured
 * with computeCountsCpu on one view at every N).
 */
const ITERATION_COST = [0, 0, 1, 1, 2, 4, 4, 80, 80] as const;

export interface PreviewPlan {
	/** The CPU twin's params: the whole preview as one tile. */
	params: MandelbrotParams;
	w: number;
	h: number;
	maxIter: number;
	/** Worst-case work, ≤ PREVIEW_WORK_MAX. */
	work: number;
}

function clamp(n: number, min: number, max: number): number {
	return Math.max(min, Math.min(max, n));
}

function costOf(limbs: number): number {
	return ITERATION_COST[limbs] ?? ITERATION_COST[8];
}

/**
 * The view of `spec` rendered at as many pixels as the work bound allows for `maxIter`
 * iterations (at most `pixelsMax`, keeping the image's shape), or null when even
 * PREVIEW_PIXELS_MIN pixels would cost more.
 */
export function planPreview(spec: MandelbrotSpec, maxIter: number = spec.maxIter, pixelsMax: number = PREVIEW_PIXELS_MAX): PreviewPlan | null {
	// A smaller image of the same view needs no more limbs than the full one: its cost bounds ours.
	const fullCost = costOf(planView(spec).limbs);
	const pixels = Math.min(pixelsMax, Math.floor(PREVIEW_WORK_MAX / (maxIter * fullCost)));
	if (pixels < PREVIEW_PIXELS_MIN) return null;
	// The image's shape at about `pixels` pixels, scaled down to fit a tile, then trimmed (the
	// side further from the shape first) until w·h ≤ pixels.
	const aspect = spec.width / spec.height;
	const maxW = Math.min(spec.width, TILE_SIDE_MAX);
	const maxH = Math.min(spec.height, TILE_SIDE_MAX);
	const fit = Math.min(1, maxW / Math.sqrt(pixels * aspect), maxH / Math.sqrt(pixels / aspect));
	let w = clamp(Math.round(Math.sqrt(pixels * aspect) * fit), 1, maxW);
	let h = clamp(Math.round(Math.sqrt(pixels / aspect) * fit), 1, maxH);
	while (w * h > pixels) {
		if (w / h > aspect ? w > 1 : h === 1) w--;
		else h--;
	}
	if (w * h < PREVIEW_PIXELS_MIN) return null;
	try {
		const plan = planView({ ...spec, width: w, height: h });
		const params = { limbs: plan.limbs, maxIter, x0: String(plan.left), y0: String(plan.top), step: String(plan.step), w, h };
		return { params, w, h, maxIter, work: w * h * maxIter * costOf(plan.limbs) };
	} catch (err) {
		// Rounding the smaller image's pixels can put an edge just past ±4: no preview, no harm.
		if (err instanceof ViewError) return null;
		throw err;
	}
}

/** The probe for an all-black preview: a few pixels at as many iterations as the work bound allows, or null when that is no more than `spec.maxIter`. */
export function planProbe(spec: MandelbrotSpec): PreviewPlan | null {
	const iterations = Math.min(ITERATIONS_MAX, Math.floor(PREVIEW_WORK_MAX / (PROBE_PIXELS_MAX * costOf(planView(spec).limbs))));
	return iterations > spec.maxIter ? planPreview(spec, iterations, PROBE_PIXELS_MAX) : null;
}

export type Uniformity = { kind: 'varied' } | { kind: 'inside' } | { kind: 'escaped'; count: number };

/** Whether every pixel stayed in the set, or every pixel escaped at the same count (one flat colour). */
export function uniformity(counts: Uint32Array, maxIter: number): Uniformity {
	const first = counts[0];
	if (first === undefined || counts.some((c) => c !== first)) return { kind: 'varied' };
	return first >= maxIter ? { kind: 'inside' } : { kind: 'escaped', count: first };
}

/** Up to two significant digits, rounded up: 5341 → 5400. */
function roundUp2(n: number): number {
	const scale = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1);
	return Math.ceil(n / scale) * scale;
}

/**
 * Iterations that would colour the probe's escaping pixels (half as many again as the latest of
 * them: the probe's few pixels rarely include the view's slowest, two significant digits), or
 * null when none escaped within the probe's iterations.
 */
export function iterationsFromProbe(counts: Uint32Array, probeIter: number): number | null {
	let latest = -1;
	for (const c of counts) if (c < probeIter && c > latest) latest = c;
	return latest < 0 ? null : Math.min(ITERATIONS_MAX, roundUp2(Math.max(16, latest * 1.5)));
}

export interface UniformWarning {
	text: string;
	/** Iterations to offer the requester, when the probe found a number worth offering. */
	raiseTo: number | null;
}

/** The words for a view that would come out one colour; null when the preview varies. */
export function uniformWarning(u: Uniformity, maxIter: number, probe: { iterations: number; counts: Uint32Array } | null): UniformWarning | null {
	const lead = 'This view would come out a single colour:';
	if (u.kind === 'varied') return null;
	if (u.kind === 'escaped') {
		return {
			text: `${lead} every preview pixel escapes after exactly ${groupDigits(u.count)} iteration${u.count === 1 ? '' : 's'}, so the view shows no detail. Move the centre closer to the set's edge (at deep zooms the centre needs about as many digits as the zoom) or lower the zoom.`,
			raiseTo: null
		};
	}
	const stays = `${lead} every preview pixel stays inside the set at ${groupDigits(maxIter)} iterations, so the image would be all black.`;
	if (!probe) return { text: `${stays} Raise max iterations or move the centre.`, raiseTo: null };
	const raiseTo = iterationsFromProbe(probe.counts, probe.iterations);
	if (raiseTo === null) {
		return { text: `${stays} Even at ${groupDigits(probe.iterations)} iterations nothing escapes: move the centre towards the set's edge.`, raiseTo: null };
	}
	return { text: `${stays} Raise max iterations to about ${groupDigits(raiseTo)}, or move the centre.`, raiseTo };
}
