// Character-level tokens: newline and printable ASCII, 96 symbols. Text from any source is
// folded onto them first (curly quotes to straight, accents dropped), so a pasted paragraph
// always encodes and a model never meets a token it has no embedding for.

/** Token 0 is the newline; tokens 1..95 are ' ' (32) through '~' (126). */
export const VOCAB_SIZE = 96;

const FOLD: Record<string, string> = {
	'\u2018': "'",
	'\u2019': "'",
	'\u201c': '"',
	'\u201d': '"',
	'\u2013': '-',
	'\u2014': '--',
	'\u2026': '...',
	'\u00a0': ' ',
	'\t': '    ',
	'\u00e6': 'ae',
	'\u00c6': 'Ae',
	'\u0153': 'oe',
	'\u00df': 'ss'
};

/** Folds text onto the vocabulary: CRLF to LF, typographic marks to ASCII, accents dropped, the rest removed. */
export function normalizeText(text: string): string {
	let out = '';
	for (const ch of text.replace(/\r\n?/g, '\n').normalize('NFKD')) {
		const c = ch.charCodeAt(0);
		if (ch === '\n' || (c >= 32 && c <= 126)) out += ch;
		else if (FOLD[ch] !== undefined) out += FOLD[ch];
		// Combining marks (accents after NFKD) and anything else outside the vocabulary go.
	}
	return out;
}

/** Encodes already-normalized text; throws on a character outside the vocabulary. */
export function encode(text: string): Uint8Array {
	const out = new Uint8Array(text.length);
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 10) out[i] = 0;
		else if (c >= 32 && c <= 126) out[i] = c - 31;
		else throw new RangeError(`character ${JSON.stringify(text[i])} at ${i} is outside the vocabulary; normalizeText first`);
	}
	return out;
}

export function decode(tokens: ArrayLike<number>): string {
	let out = '';
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i] ?? 0;
		if (t < 0 || t >= VOCAB_SIZE) throw new RangeError(`token ${t} is outside the vocabulary`);
		out += t === 0 ? '\n' : String.fromCharCode(t + 31);
	}
	return out;
}
