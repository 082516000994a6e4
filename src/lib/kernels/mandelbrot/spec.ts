import * as v from 'valibot';
import { DECIMAL_PATTERN } from './decimal';
import { viewProblem } from './view';

export { DECIMAL_PATTERN };
const Decimal = v.pipe(v.string(), v.maxLength(110), v.regex(DECIMAL_PATTERN, 'a decimal number such as -0.7436 or 1e12'));

export const IMAGE_WIDTH_MAX = 3840;
export const IMAGE_HEIGHT_MAX = 3840;
/** "Up to 4K": 3840 × 2160 pixels, either orientation. */
export const IMAGE_PIXELS_MAX = 3840 * 2160;
export const ITERATIONS_MAX = 50_000;
export const TILE_SIZES = [64, 128, 256] as const;

/** What a requester asks for. The view is `3 / zoom` units wide, centred on (centerRe, centerIm). */
export const MandelbrotSpecSchema = v.pipe(
	v.strictObject({
		centerRe: Decimal,
		centerIm: Decimal,
		zoom: Decimal,
		width: v.pipe(v.number(), v.safeInteger(), v.minValue(16), v.maxValue(IMAGE_WIDTH_MAX)),
		height: v.pipe(v.number(), v.safeInteger(), v.minValue(16), v.maxValue(IMAGE_HEIGHT_MAX)),
		maxIter: v.pipe(v.number(), v.safeInteger(), v.minValue(16), v.maxValue(ITERATIONS_MAX)),
		tile: v.optional(v.picklist(TILE_SIZES), 256)
	}),
	v.check((s) => s.width * s.height <= IMAGE_PIXELS_MAX, `at most ${IMAGE_PIXELS_MAX} pixels (4K)`),
	// Positive zoom, not deeper than 8 limbs resolve, every pixel within ±4 (view.ts).
	v.rawCheck(({ dataset, addIssue }) => {
		if (!dataset.typed) return;
		const problem = viewProblem(dataset.value);
		if (problem) addIssue({ message: problem });
	})
);
export type MandelbrotSpecInput = v.InferInput<typeof MandelbrotSpecSchema>;
export type MandelbrotSpec = v.InferOutput<typeof MandelbrotSpecSchema>;
