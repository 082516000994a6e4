// How a spec's view becomes exact fixed-point integers. Shared by split (relay and browser) and
// the spec check, so the whole network derives the same pixel constants from the same text.
import { divide, parseDecimal, toFixed, type Rational } from './decimal';

export const LIMBS_MIN = 2;
export const LIMBS_MAX = 8;
/** Guard bits: the pixel step keeps at least this many bits, so neighbouring pixels differ. */
export const STEP_GUARD_BITS = 8;
/**
 * Every pixel constant must satisfy |cx|, |cy| ≤ 4. Then a non-escaped orbit has |x|, |y| < 8.5
 * at each squaring and |x + y| < 17, so X² stays far below the 16-bit signed integer limb.
 */
export const C_LIMIT_UNITS = 4;
/** The view is `VIEW_WIDTH_UNITS / zoom` wide. */
export const VIEW_WIDTH_UNITS = 3;

export interface ViewInput {
	centerRe: string;
	centerIm: string;
	zoom: string;
	width: number;
	height: number;
}

export interface ViewPlan {
	limbs: number;
	/** F = 16·(limbs − 1): a value X means X / 2^F. */
	fracBits: number;
	/** Pixel spacing, fixed point. */
	step: bigint;
	/** cx of pixel column 0 and cy of pixel row 0 (the top row); cx = left + px·step, cy = top − py·step. */
	left: bigint;
	top: bigint;
}

export function fracBitsOf(limbs: number): number {
	return 16 * (limbs - 1);
}

/** Why planView refused a view; view-problem.ts turns the reason into the requester's words. */
export class ViewError extends RangeError {
	readonly reason: 'zoom-not-positive' | 'too-deep' | 'outside';
	constructor(reason: ViewError['reason'], message: string) {
		super(message);
		this.name = 'ViewError';
		this.reason = reason;
	}
}

/**
 * The exact plan of a view. F is the smallest multiple of 16 with spacing·2^F ≥ 2^8
 * (i.e. F = 16·ceil((−log2(spacing) + 8)/16)), at least 16; deeper than F = 112 is refused.
 * Rounding is half away from zero (decimal.ts). Pixel column floor(W/2) and row floor(H/2) sit
 * exactly on the rounded centre. `minLimbs` forces more precision than the view needs (tests use
 * it to run shallow views at every N). Throws a ViewError for an impossible view.
 */
export function planView(spec: ViewInput, minLimbs: number = LIMBS_MIN): ViewPlan {
	const zoom = parseDecimal(spec.zoom);
	if (zoom.num <= 0n) throw new ViewError('zoom-not-positive', 'zoom must be positive');
	const spacing: Rational = divide({ num: BigInt(VIEW_WIDTH_UNITS), den: 1n }, { num: zoom.num * BigInt(spec.width), den: zoom.den });
	let limbs = Math.max(LIMBS_MIN, Math.min(LIMBS_MAX, minLimbs));
	while (limbs <= LIMBS_MAX && spacing.num << BigInt(fracBitsOf(limbs) - STEP_GUARD_BITS) < spacing.den) limbs++;
	if (limbs > LIMBS_MAX) throw new ViewError('too-deep', `zoom too deep: a pixel would be finer than 2^-${fracBitsOf(LIMBS_MAX) - STEP_GUARD_BITS}`);
	const fracBits = fracBitsOf(limbs);
	const step = toFixed(spacing, fracBits);
	const left = toFixed(parseDecimal(spec.centerRe), fracBits) - BigInt(Math.floor(spec.width / 2)) * step;
	const top = toFixed(parseDecimal(spec.centerIm), fracBits) + BigInt(Math.floor(spec.height / 2)) * step;
	const right = left + BigInt(spec.width - 1) * step;
	const bottom = top - BigInt(spec.height - 1) * step;
	const limit = BigInt(C_LIMIT_UNITS) << BigInt(fracBits);
	for (const c of [left, right, top, bottom]) {
		if (c > limit || c < -limit) throw new ViewError('outside', `the view must lie within ±${C_LIMIT_UNITS} on both axes`);
	}
	return { limbs, fracBits, step, left, top };
}
