// One tile's task parameters: everything a worker needs, JSON-serialisable, checked at the boundary.
import * as v from 'valibot';
import { ITERATIONS_MAX } from './spec';
import { C_LIMIT_UNITS, LIMBS_MAX, LIMBS_MIN, fracBitsOf } from './view';

/** Largest tile side: split makes at most 256 × 256. */
export const TILE_SIDE_MAX = 256;
const BigIntText = v.pipe(v.string(), v.maxLength(40), v.regex(/^-?\d+$/, 'a decimal integer'));

/** Decoded params with the fixed-point values as BigInt. */
export interface TileJob {
	limbs: number;
	fracBits: number;
	maxIter: number;
	/** cx, cy of the tile's top-left pixel and the pixel spacing, all fixed point (X / 2^F). */
	x0: bigint;
	y0: bigint;
	step: bigint;
	w: number;
	h: number;
}

/** Null when every pixel constant of the tile lies within ±C_LIMIT_UNITS, else the reason. */
function rangeProblem(p: { limbs: number; x0: string; y0: string; step: string; w: number; h: number }): string | null {
	const limit = BigInt(C_LIMIT_UNITS) << BigInt(fracBitsOf(p.limbs));
	const step = BigInt(p.step);
	if (step < 0n) return 'step must not be negative';
	const x0 = BigInt(p.x0);
	const y0 = BigInt(p.y0);
	const corners = [x0, x0 + BigInt(p.w - 1) * step, y0, y0 - BigInt(p.h - 1) * step];
	return corners.every((c) => c <= limit && c >= -limit) ? null : `pixel constants must lie within ±${C_LIMIT_UNITS}`;
}

export const MandelbrotParamsSchema = v.pipe(
	v.strictObject({
		limbs: v.pipe(v.number(), v.integer(), v.minValue(LIMBS_MIN), v.maxValue(LIMBS_MAX)),
		maxIter: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(ITERATIONS_MAX)),
		x0: BigIntText,
		y0: BigIntText,
		step: BigIntText,
		w: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(TILE_SIDE_MAX)),
		h: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(TILE_SIDE_MAX))
	}),
	v.rawCheck(({ dataset, addIssue }) => {
		if (!dataset.typed) return;
		const problem = rangeProblem(dataset.value);
		if (problem) addIssue({ message: problem });
	})
);
export type MandelbrotParams = v.InferOutput<typeof MandelbrotParamsSchema>;

/** Validates (throws a ValiError on bad input) and decodes params for a backend. */
export function decodeParams(params: unknown): TileJob {
	const p = v.parse(MandelbrotParamsSchema, params);
	return {
		limbs: p.limbs,
		fracBits: fracBitsOf(p.limbs),
		maxIter: p.maxIter,
		x0: BigInt(p.x0),
		y0: BigInt(p.y0),
		step: BigInt(p.step),
		w: p.w,
		h: p.h
	};
}
