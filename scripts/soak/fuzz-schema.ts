// Invalid variants of a valid request, generated from its valibot schema: the fuzz soak walks the
// protocol's own schema objects (entries, items, options, pipe actions) so every field of every
// request gets its wrong types, arrays for objects, unknown fields, NUL bytes and out-of-range
// values without a hand-written list per route. Variants are candidates: the caller keeps only
// those the schema really refuses after a JSON round trip (the wire form).
import fc from 'fast-check';
import * as v from 'valibot';

/** The parts of a valibot schema object the walker reads (valibot's own types are per kind). */
interface SchemaNode {
	type: string;
	pipe?: SchemaNode[];
	entries?: Record<string, SchemaNode>;
	item?: SchemaNode;
	options?: readonly unknown[];
	wrapped?: SchemaNode;
	literal?: unknown;
	key?: string;
	requirement?: unknown;
}

interface Flat {
	base: SchemaNode;
	/** Pipe actions, outermost pipe last (a pipe of a pipe is flattened). */
	actions: SchemaNode[];
}

function flatten(schema: SchemaNode): Flat {
	if (!schema.pipe) return { base: schema, actions: [] };
	const [head, ...actions] = schema.pipe;
	// v.pipe(x, ...actions) keeps x as the pipe's head (itself piped when pipes nest).
	const inner = head ? flatten(head) : { base: schema, actions: [] };
	return { base: inner.base, actions: [...inner.actions, ...actions] };
}

const requirement = (actions: SchemaNode[], type: string): number | null => {
	const a = actions.find((x) => x.type === type);
	return a && typeof a.requirement === 'number' ? a.requirement : null;
};

/** Characters that mean nothing in an id or a title (and U+0000, which Postgres text refuses). */
const CONTROL_CHARS = ['\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009f', '\ud800', '\udfff'];
const STRANGE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'extra', '', ' ', 'a\u0000b'];

/** A value of some JSON type, to stand where another type belongs. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
	fc.constant(null),
	fc.boolean(),
	fc.integer(),
	fc.double({ noNaN: true, noDefaultInfinity: true }),
	fc.string({ maxLength: 16 }),
	fc.constant([]),
	fc.constant({}),
	fc.array(fc.integer(), { maxLength: 3 }),
	fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 3 })
);

const insertAt = (s: string, i: number, what: string) => s.slice(0, i) + what + s.slice(i);

function stringVariants(value: unknown, actions: SchemaNode[]): fc.Arbitrary<unknown>[] {
	const base = typeof value === 'string' ? value : 'abcdefgh';
	const out: fc.Arbitrary<unknown>[] = [
		anyJson.filter((x) => typeof x !== 'string'),
		fc.tuple(fc.nat(base.length), fc.constantFrom(...CONTROL_CHARS)).map(([i, c]) => insertAt(base, i, c)),
		fc.string({ unit: 'binary', maxLength: 40 }),
		fc.string({ maxLength: 40 })
	];
	const max = requirement(actions, 'max_length') ?? requirement(actions, 'length');
	if (max !== null) out.push(fc.nat(4096).map((extra) => (base || 'a').padEnd(max + 1 + extra, base[0] ?? 'a')));
	const min = requirement(actions, 'min_length') ?? requirement(actions, 'length');
	if (min !== null && min > 0) out.push(fc.constant(base.slice(0, min - 1)));
	return out;
}

function numberVariants(value: unknown, actions: SchemaNode[]): fc.Arbitrary<unknown>[] {
	const n = typeof value === 'number' ? value : 1;
	const out: fc.Arbitrary<unknown>[] = [anyJson.filter((x) => typeof x !== 'number'), fc.constant(String(n)), fc.constantFrom(1e300, -1e300, 2 ** 53 + 2, -(2 ** 53) - 2)];
	const min = requirement(actions, 'min_value');
	if (min !== null) out.push(fc.constantFrom(min - 1, min - 0.5, min - 1e9));
	const max = requirement(actions, 'max_value');
	if (max !== null) out.push(fc.constantFrom(max + 1, max + 0.5, max * 10 + 1));
	if (actions.some((a) => a.type === 'integer' || a.type === 'safe_integer')) out.push(fc.constant(n + 0.5));
	return out;
}

function arrayVariants(schema: SchemaNode, value: unknown, actions: SchemaNode[]): fc.Arbitrary<unknown>[] {
	const items = Array.isArray(value) ? value : [];
	const out: fc.Arbitrary<unknown>[] = [anyJson.filter((x) => !Array.isArray(x)), fc.constant(Object.fromEntries(items.map((x, i) => [String(i), x])))];
	const max = requirement(actions, 'max_length');
	if (max !== null) out.push(fc.constant(Array.from({ length: max + 1 }, (_, i) => items[i % Math.max(1, items.length)] ?? null)));
	const min = requirement(actions, 'min_length');
	if (min !== null && min > 0) out.push(fc.constant(items.slice(0, min - 1)));
	const item = schema.item;
	if (item) {
		const bad = invalidVariants(item, items[0]);
		if (bad) out.push(bad.map((x) => [x, ...items.slice(1)]));
		if (items.length > 1) {
			const badLast = invalidVariants(item, items[items.length - 1]);
			if (badLast) out.push(badLast.map((x) => [...items.slice(0, -1), x]));
		}
	}
	return out;
}

const isOptional = (s: SchemaNode) => s.type === 'optional' || s.type === 'exact_optional' || s.type === 'nullish';

function objectVariants(schema: SchemaNode, value: unknown): fc.Arbitrary<unknown>[] {
	const obj = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
	const entries = schema.entries ?? {};
	const out: fc.Arbitrary<unknown>[] = [
		// Arrays for objects: valibot's object schemas accept them.
		fc.constantFrom([], [obj], Object.values(obj)),
		anyJson.filter((x) => typeof x !== 'object' || x === null),
		fc.tuple(fc.oneof(fc.constantFrom(...STRANGE_KEYS), fc.string({ minLength: 1, maxLength: 12 })), anyJson)
			.filter(([k]) => !(k in entries))
			.map(([k, x]) => ({ ...obj, [k]: x }))
	];
	for (const [key, entry] of Object.entries(entries)) {
		if (!isOptional(entry) && key in obj) {
			const { [key]: _dropped, ...rest } = obj;
			out.push(fc.constant(rest));
		}
		const bad = invalidVariants(entry, obj[key]);
		if (bad) out.push(bad.map((x) => ({ ...obj, [key]: x })));
	}
	return out;
}

/**
 * Candidates that `schema` should refuse, near `value` (a valid instance; undefined where the
 * valid request leaves an optional field out). Null when nothing can make it invalid (v.unknown).
 */
export function invalidVariants(schema: v.GenericSchema | SchemaNode, value: unknown): fc.Arbitrary<unknown> | null {
	const { base, actions } = flatten(schema as SchemaNode);
	let out: fc.Arbitrary<unknown>[];
	switch (base.type) {
		case 'string':
			out = stringVariants(value, actions);
			break;
		case 'number':
			out = numberVariants(value, actions);
			break;
		case 'boolean':
			out = [anyJson.filter((x) => typeof x !== 'boolean'), fc.constantFrom('true', 'false', 0, 1)];
			break;
		case 'picklist':
			out = [anyJson.filter((x) => !(base.options ?? []).includes(x)), fc.constantFrom(...(base.options ?? ['x']).map((o) => `${String(o)}x`), '', 'ANY')];
			break;
		case 'literal':
			out = [anyJson.filter((x) => x !== base.literal)];
			break;
		case 'array':
			out = arrayVariants(base, value, actions);
			break;
		case 'object':
		case 'strict_object':
		case 'loose_object':
			out = objectVariants(base, value);
			break;
		case 'optional':
		case 'exact_optional':
		case 'nullish':
		case 'nullable': {
			const inner = base.wrapped ? invalidVariants(base.wrapped, value) : null;
			// null (and, for optionals, a missing field) is valid here: keep only what is neither.
			out = inner ? [inner.filter((x) => x !== null && x !== undefined)] : [];
			break;
		}
		case 'unknown':
		case 'any':
			out = [];
			break;
		default:
			// union, variant, custom, instance…: a value of the wrong kind altogether.
			out = [anyJson];
	}
	return out.length > 0 ? fc.oneof(...out) : null;
}

/** The value as the relay receives it: JSON text and back (undefined fields vanish, -0 is 0). */
export const overTheWire = (x: unknown): unknown => {
	const text = JSON.stringify(x);
	return text === undefined ? undefined : (JSON.parse(text) as unknown);
};

/**
 * Whether the relay takes this wire value as a request body: one JSON object (relay/api/
 * decode-request.ts refuses the rest first, since valibot's object schemas take arrays) that the
 * route's schema accepts.
 */
export const acceptedBody = (schema: v.GenericSchema, wire: unknown): boolean =>
	typeof wire === 'object' && wire !== null && !Array.isArray(wire) && v.is(schema, wire);
