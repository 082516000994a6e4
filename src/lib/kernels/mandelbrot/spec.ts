import * as v from 'valibot';
import { fieldsValid, formatCount, wholeNumber } from '../spec-words';
import { DECIMAL_PATTERN, parseDecimal } from './decimal';
import { FIELD_LABELS, type MandelbrotField } from './labels';
import type { ViewInput } from './view';
import { viewProblems, ZOOM_MESSAGE } from './view-problem';

const IMAGE_WIDTH_MAX = 3840;
const IMAGE_HEIGHT_MAX = 3840;
/** "Up to 4K": 3840 × 2160 pixels, either orientation. */
const IMAGE_PIXELS_MAX = 3840 * 2160;
const IMAGE_SIDE_MIN = 16;
export const ITERATIONS_MIN = 16;
export const ITERATIONS_MAX = 50_000;
export const TILE_SIZES = [64, 128, 256] as const;
const DECIMAL_TEXT_MAX = 110;

/** Decimal text (every digit kept for deep zooms); every way to miss gets `message`. */
const decimal = (message: string) => v.pipe(v.string(message), v.maxLength(DECIMAL_TEXT_MAX, message), v.regex(DECIMAL_PATTERN, message));
const centre = (field: 'centerRe' | 'centerIm') =>
	decimal(`${FIELD_LABELS[field]} must be a decimal number such as -0.7436, with at most 60 decimals`);
const Zoom = v.pipe(
	decimal(ZOOM_MESSAGE),
	v.check((z) => !DECIMAL_PATTERN.test(z) || parseDecimal(z).num > 0n, ZOOM_MESSAGE)
);

const PIXELS_MESSAGE = `${FIELD_LABELS.width} × ${FIELD_LABELS.height.toLowerCase()} can be at most ${formatCount(IMAGE_PIXELS_MAX)} pixels (4K: 3840 × 2160)`;
const VIEW_FIELDS: readonly MandelbrotField[] = ['centerRe', 'centerIm', 'zoom', 'width', 'height'];

/** What a requester asks for. The view is `3 / zoom` units wide, centred on (centerRe, centerIm). */
export const MandelbrotSpecSchema = v.pipe(
	v.strictObject(
		{
			centerRe: centre('centerRe'),
			centerIm: centre('centerIm'),
			zoom: Zoom,
			width: wholeNumber(FIELD_LABELS.width, IMAGE_SIDE_MIN, IMAGE_WIDTH_MAX),
			height: wholeNumber(FIELD_LABELS.height, IMAGE_SIDE_MIN, IMAGE_HEIGHT_MAX),
			maxIter: wholeNumber(FIELD_LABELS.maxIter, ITERATIONS_MIN, ITERATIONS_MAX),
			tile: v.optional(v.picklist(TILE_SIZES, `${FIELD_LABELS.tile} must be ${TILE_SIZES.join(', ').replace(/, (\d+)$/, ' or $1')}`), 256)
		},
		'A fractal spec has exactly the fields centerRe, centerIm, zoom, width, height, maxIter and (optionally) tile'
	),
	// Checks across fields run only when each field they read passed its own check (whatever
	// the other fields hold), so a bad width says what is wrong with the width and nothing else.
	v.rawCheck(({ dataset, addIssue }) => {
		if (!fieldsValid(dataset.issues, ['width', 'height'])) return;
		const { width, height } = dataset.value as { width: number; height: number };
		if (width * height > IMAGE_PIXELS_MAX) addIssue({ message: PIXELS_MESSAGE });
	}),
	// Within ±4, positive and not deeper than 8 limbs resolve (view-problem.ts), each on its field.
	v.rawCheck(({ dataset, addIssue }) => {
		if (!fieldsValid(dataset.issues, VIEW_FIELDS)) return;
		const view = dataset.value as ViewInput & Record<string, unknown>;
		for (const problem of viewProblems(view)) {
			addIssue({ message: problem.message, path: [{ type: 'object', origin: 'value', input: view, key: problem.field, value: view[problem.field] }] });
		}
	})
);
export type MandelbrotSpecInput = v.InferInput<typeof MandelbrotSpecSchema>;
export type MandelbrotSpec = v.InferOutput<typeof MandelbrotSpecSchema>;
