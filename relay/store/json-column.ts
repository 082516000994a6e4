// Reading json/jsonb columns the same way on both backends, and comparing what they hold.

/**
 * The value of a json/jsonb column written as JSON text: PGlite hands back the parsed value;
 * postgres.js stores a string parameter as a JSON string and hands that text back.
 */
export function jsonColumn(value: unknown): unknown {
	return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
}

/**
 * JSON text with every object's keys sorted. jsonb keeps its own key order (shorter keys first),
 * not the writer's, so a stored value is compared with this, never with JSON.stringify.
 */
export function canonicalJson(value: unknown): string {
	return JSON.stringify(value, (_key, v: unknown) =>
		v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v
	);
}
