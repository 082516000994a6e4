// Exact decimal text → rational, and rational → fixed point. Deep zooms need every digit of the
// centre, and the relay and every browser must derive the same integers, so no float is involved.
/** A decimal number as text, so deep-zoom centres keep every digit: `-0.743643887037151`, `1e12`. */
export const DECIMAL_PATTERN = /^[+-]?(\d{1,40})(\.\d{1,60})?([eE][+-]?\d{1,3})?$/;

/** An exact rational `num / den` with `den > 0` (not necessarily reduced). */
export interface Rational {
	num: bigint;
	den: bigint;
}

/** Parses text matching DECIMAL_PATTERN (`-0.7436`, `1e12`, `2.5E-3`) exactly. Throws otherwise. */
export function parseDecimal(text: string): Rational {
	const m = DECIMAL_PATTERN.exec(text);
	if (!m) throw new RangeError(`not a decimal number: ${JSON.stringify(text)}`);
	const negative = text.startsWith('-');
	const intDigits = m[1] ?? '0';
	const fracDigits = (m[2] ?? '.').slice(1);
	const exponent = m[3] ? Number(m[3].slice(1)) : 0;
	let num = BigInt(intDigits + fracDigits);
	let den = 1n;
	const scale = exponent - fracDigits.length;
	if (scale >= 0) num *= 10n ** BigInt(scale);
	else den = 10n ** BigInt(-scale);
	if (negative) num = -num;
	return { num, den };
}

/** Rounds to the nearest integer, halves away from zero (so the result is symmetric in sign). */
export function roundHalfAway(r: Rational): bigint {
	if (r.den <= 0n) throw new RangeError('denominator must be positive');
	const mag = r.num < 0n ? -r.num : r.num;
	const q = (2n * mag + r.den) / (2n * r.den); // floor(mag/den + 1/2)
	return r.num < 0n ? -q : q;
}

/** `round(r · 2^fracBits)`, halves away from zero: a rational's fixed-point integer. */
export function toFixed(r: Rational, fracBits: number): bigint {
	return roundHalfAway({ num: r.num << BigInt(fracBits), den: r.den });
}

/** Exact quotient of two rationals; throws when dividing by zero. */
export function divide(a: Rational, b: Rational): Rational {
	if (b.num === 0n) throw new RangeError('division by zero');
	const num = a.num * b.den;
	const den = a.den * b.num;
	return den < 0n ? { num: -num, den: -den } : { num, den };
}
