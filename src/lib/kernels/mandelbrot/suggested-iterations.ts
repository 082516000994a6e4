// How many iterations a view needs when the requester has not said. Escape counts near the
// set's boundary grow roughly linearly with the logarithm of the magnification (the usual rule
// of thumb for escape-time renderers), so each tenfold zoom adds a fixed number of iterations.
// Calibrated on the default centre (-0.743643887037151, 0.131825904205330): zoom 180 looks right
// with 1,500, and at 1e12 every pixel still runs past 1,969 (the 1,500 default drew solid black)
// while none runs past 4,273.
import { ITERATIONS_MAX, ITERATIONS_MIN } from './spec';

const ITERATIONS_AT_ZOOM_1 = 600;
const ITERATIONS_PER_TENFOLD_ZOOM = 400;

/** 600 + 400·log10(zoom), to the nearest 100, within the spec's range; zoom ≤ 1 (or not a number) gets 600. */
export function suggestedMaxIter(zoom: number): number {
	const decades = zoom > 1 ? Math.log10(zoom) : 0;
	const raw = ITERATIONS_AT_ZOOM_1 + ITERATIONS_PER_TENFOLD_ZOOM * decades;
	return Math.min(ITERATIONS_MAX, Math.max(ITERATIONS_MIN, Math.round(raw / 100) * 100));
}
