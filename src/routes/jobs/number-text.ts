// What a number field's text stands for in a spec. The fields are text inputs (a type=number
// input silently drops letters), so the spec's own schema sees exactly what was typed and says
// what is wrong with it under the field.

const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** '' → null, a plain decimal number → that number, anything else → the text itself (the schema refuses it in words). */
export function numberFromText(text: string): number | string | null {
	const t = text.trim();
	if (t === '') return null;
	return PLAIN_NUMBER.test(t) ? Number(t) : t;
}
