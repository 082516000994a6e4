// Why a well-formed view cannot be rendered, in the requester's words: which field to change
// and to what. Runs only on a spec whose view fields each passed their own checks (spec.ts).
import { parseDecimal } from './decimal';
import { FIELD_LABELS } from './labels';
import { C_LIMIT_UNITS, LIMBS_MAX, STEP_GUARD_BITS, VIEW_WIDTH_UNITS, ViewError, fracBitsOf, planView, type ViewInput } from './view';

export const ZOOM_MESSAGE = `${FIELD_LABELS.zoom} must be a positive number such as 180 or 1e12`;

export interface ViewProblem {
	field: 'centerRe' | 'centerIm' | 'zoom';
	message: string;
}

/** The deepest zoom at this width: the spacing 3 / (zoom · width) must stay ≥ 2^-(F_max − guard bits). */
export function maxZoomAt(width: number): number {
	return (VIEW_WIDTH_UNITS * 2 ** (fracBitsOf(LIMBS_MAX) - STEP_GUARD_BITS)) / width;
}

/**
 * The shallowest zoom that keeps every pixel within ±C_LIMIT_UNITS: the view reaches at most
 * 1.5 / zoom either side of the centre across, and (H / W) · 1.5 / zoom up and down.
 */
export function minZoomAt(spec: ViewInput): number {
	const half = VIEW_WIDTH_UNITS / 2;
	const re = Math.abs(approx(spec.centerRe));
	const im = Math.abs(approx(spec.centerIm));
	return Math.max(half / (C_LIMIT_UNITS - re), (half * spec.height) / spec.width / (C_LIMIT_UNITS - im));
}

function approx(text: string): number {
	const r = parseDecimal(text);
	return Number(r.num) / Number(r.den);
}

/**
 * `x` to two significant digits, rounded the safe way (down for a limit from above, up for a
 * limit from below), as text the zoom field accepts: 9.5e28, 0.38, 1200.
 */
export function aboutNumber(x: number, round: 'down' | 'up'): string {
	const exp = Math.floor(Math.log10(x));
	const scale = 10 ** (exp - 1);
	// toPrecision drops float noise first (2e-5 / 1e-6 is 20.000000000000004, not 21 after ceil).
	const scaled = Number((x / scale).toPrecision(12));
	const mantissa = round === 'down' ? Math.floor(scaled) : Math.ceil(scaled);
	if (exp >= 5 || exp < -3) return `${mantissa / 10}e${exp}`;
	return String(Number((mantissa * scale).toFixed(Math.max(0, 1 - exp))));
}

/** Everything wrong with a view whose fields are each well-formed; empty when it can be rendered. */
export function viewProblems(spec: ViewInput): ViewProblem[] {
	const problems: ViewProblem[] = [];
	for (const field of ['centerRe', 'centerIm'] as const) {
		if (Math.abs(approx(spec[field])) >= C_LIMIT_UNITS) {
			problems.push({ field, message: `${FIELD_LABELS[field]} must be between -${C_LIMIT_UNITS} and ${C_LIMIT_UNITS}` });
		}
	}
	if (problems.length > 0) return problems;
	try {
		planView(spec);
		return [];
	} catch (err) {
		if (!(err instanceof ViewError)) throw err;
		switch (err.reason) {
			case 'zoom-not-positive':
				return [{ field: 'zoom', message: ZOOM_MESSAGE }];
			case 'too-deep':
				return [
					{
						field: 'zoom',
						message: `Zoom can be at most about ${aboutNumber(maxZoomAt(spec.width), 'down')} at ${spec.width} px wide: deeper views need more precision than the renderer has`
					}
				];
			case 'outside':
				return [
					{
						field: 'zoom',
						message: `Zoom must be at least about ${aboutNumber(minZoomAt(spec), 'up')} here: a wider view would reach past ±${C_LIMIT_UNITS}, outside the area the renderer draws`
					}
				];
		}
	}
}
