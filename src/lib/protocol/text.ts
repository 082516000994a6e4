// One rule for every id and free text the relay accepts (lease and task ids, kernel names,
// destinations, titles, labels, notes): control characters never mean anything there, Postgres
// text refuses U+0000 outright (a 500 before this rule), and an unpaired surrogate cannot be
// stored as UTF-8 without being silently replaced.
import * as v from 'valibot';

/** C0 and C1 controls (NUL, newlines, escapes), DEL, and UTF-16 surrogates without their pair. */
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const PLAIN_TEXT_MESSAGE = 'must not contain control characters (such as NUL or a line break) or unpaired surrogates';

/** True when `s` is plain single-line text: no control characters, no unpaired surrogates. */
export const isPlainText = (s: string): boolean => !FORBIDDEN_CHARS.test(s);

/** A plain single-line string (see isPlainText); pipe length rules after it. */
export const PlainTextSchema = v.pipe(v.string(), v.check(isPlainText, PLAIN_TEXT_MESSAGE));

/** A plain string of `min`..`max` characters. */
export const plainText = (max: number, min = 0) => v.pipe(PlainTextSchema, v.minLength(min), v.maxLength(max));
