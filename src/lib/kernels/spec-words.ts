// Plain-English spec messages shared by every kernel's schema, so the relay's 400s and the
// browser's form say the same thing: the field's name and what it accepts.
import * as v from 'valibot';

const grouped = new Intl.NumberFormat('en-US');

/** 1500 → 1,500: counts in running text (iterations, samples). */
export function groupDigits(n: number): string {
	return grouped.format(n);
}

/** Limits in a rule: 3840 stays 3840, 50000 becomes 50,000 (separators only from five digits, as people write them). */
export function formatCount(n: number): string {
	return Math.abs(n) >= 10_000 ? grouped.format(n) : String(n);
}

/** "Width must be a whole number from 16 to 3840". */
function wholeNumberMessage(label: string, min: number, max: number): string {
	return `${label} must be a whole number from ${formatCount(min)} to ${formatCount(max)}`;
}

/**
 * A whole number within [min, max]. Every way to miss (no number, a fraction, out of range) gets
 * the same message, which says what is allowed; callers drop the repeats (protocol/spec-issues.ts).
 */
export function wholeNumber(label: string, min: number, max: number) {
	const message = wholeNumberMessage(label, min, max);
	return v.pipe(v.number(message), v.safeInteger(message), v.minValue(min, message), v.maxValue(max, message));
}

/**
 * True when no issue so far concerns these fields or the spec as a whole: each of them then
 * passed its own schema and holds its output type, so a check across them may run (and a bad
 * field raises its own message, never another field's).
 */
export function fieldsValid(issues: readonly v.BaseIssue<unknown>[] | undefined, fields: readonly string[]): boolean {
	return !issues?.some((i) => {
		const key = i.path?.[0]?.key;
		return typeof key !== 'string' || fields.includes(key);
	});
}
