// A job's spec from the command line: `--spec JSON`, `--spec @file.json`, and `--<field> value`
// for the kernel's top-level spec fields (typed from the kernel's own schema), over the kernel's
// default spec where it has one. The result is checked with the kernel's schema by the client.
import { readFile } from 'node:fs/promises';
import type * as v from 'valibot';
import { KERNELS, type AnyKernelMeta } from '../src/lib/kernels/registry.js';
import type { Options, Values } from './command.js';
import { DEFAULT_SPECS } from './default-specs.js';
import { CliError, EXIT } from './exit-codes.js';

/** A spec file is a few hundred bytes; a larger one is not read. */
export const SPEC_FILE_BYTES_MAX = 64 * 1024;

export type FieldKind = 'number' | 'string' | 'boolean' | 'json';

interface SchemaShape {
	type?: string;
	entries?: Record<string, SchemaShape>;
	wrapped?: SchemaShape;
	options?: readonly unknown[];
}

function kindOf(schema: SchemaShape): FieldKind {
	if (schema.wrapped && (schema.type === 'optional' || schema.type === 'nullable' || schema.type === 'nullish' || schema.type === 'exact_optional')) return kindOf(schema.wrapped);
	if (schema.type === 'number') return 'number';
	if (schema.type === 'string') return 'string';
	if (schema.type === 'boolean') return 'boolean';
	if (schema.type === 'picklist' && schema.options?.every((o) => typeof o === 'number')) return 'number';
	if (schema.type === 'picklist' && schema.options?.every((o) => typeof o === 'string')) return 'string';
	return 'json';
}

/** A kernel's top-level spec fields and how a flag's text becomes each one's value. */
export function specFields(kernel: Pick<AnyKernelMeta, 'specSchema'>): Map<string, FieldKind> {
	const entries = (kernel.specSchema as v.GenericSchema & SchemaShape).entries ?? {};
	return new Map(Object.entries(entries).map(([name, schema]) => [name, kindOf(schema)]));
}

/** Every registered kernel's spec fields as string flags (a flag a kernel lacks is refused later). */
export function specFieldOptions(): Options {
	const options: Options = {};
	for (const kernel of Object.values(KERNELS)) for (const name of specFields(kernel).keys()) options[name] = { type: 'string' };
	return options;
}

function fieldValue(name: string, kind: FieldKind, text: string): unknown {
	const bad = (wanted: string) => new CliError(`--${name} wants ${wanted}, not "${text}"`, EXIT.usage, 'invalid_spec');
	switch (kind) {
		case 'string':
			return text;
		case 'number': {
			const n = text.trim() === '' ? NaN : Number(text);
			if (!Number.isFinite(n)) throw bad('a number');
			return n;
		}
		case 'boolean':
			if (text === 'true' || text === 'false') return text === 'true';
			throw bad('true or false');
		case 'json':
			try {
				return JSON.parse(text);
			} catch {
				throw bad('JSON');
			}
	}
}

async function specOption(text: string): Promise<Record<string, unknown>> {
	let json = text;
	if (text.startsWith('@')) {
		const path = text.slice(1);
		let bytes: Buffer;
		try {
			bytes = await readFile(path);
		} catch (err) {
			throw new CliError(`could not read the spec file ${path}: ${(err as Error).message}`, EXIT.usage, 'invalid_spec');
		}
		if (bytes.length > SPEC_FILE_BYTES_MAX) throw new CliError(`${path} is larger than a spec (over ${SPEC_FILE_BYTES_MAX} bytes)`, EXIT.usage, 'invalid_spec');
		json = bytes.toString('utf8');
	}
	let spec: unknown;
	try {
		spec = JSON.parse(json);
	} catch (err) {
		throw new CliError(`--spec is not JSON (${(err as Error).message}); give it JSON or @file.json`, EXIT.usage, 'invalid_spec');
	}
	if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new CliError('--spec must be a JSON object', EXIT.usage, 'invalid_spec');
	return spec as Record<string, unknown>;
}

/**
 * The spec for `kernel` from parsed flags: the kernel's default (if any), then `--spec`, then each
 * `--<field>`. Unchecked: the client checks it with the kernel's schema, naming each bad field.
 */
export async function buildSpec(kernelId: string, kernel: AnyKernelMeta, values: Values): Promise<Record<string, unknown>> {
	const fields = specFields(kernel);
	const given: Record<string, unknown> = typeof values.spec === 'string' ? await specOption(values.spec) : {};
	const known = [...fields.keys()];
	for (const [name, text] of Object.entries(values)) {
		if (name === 'spec' || typeof text !== 'string' || !specFieldNames().has(name)) continue;
		const kind = fields.get(name);
		if (!kind) throw new CliError(`${kernelId} has no field --${name}; its fields are ${known.map((f) => `--${f}`).join(', ')}`, EXIT.usage, 'invalid_spec');
		given[name] = fieldValue(name, kind, text);
	}
	const defaults = DEFAULT_SPECS[kernelId];
	if (defaults) return { ...defaults(given), ...given };
	const missing = known.filter((f) => !(f in given) && !isOptional(kernel, f));
	if (missing.length > 0) throw new CliError(`${kernelId} needs ${missing.map((f) => `--${f}`).join(', ')} (or --spec JSON)`, EXIT.usage, 'invalid_spec');
	return given;
}

let fieldNames: Set<string> | null = null;
/** Every registered kernel's spec field names. */
function specFieldNames(): Set<string> {
	fieldNames ??= new Set(Object.keys(specFieldOptions()));
	return fieldNames;
}

/** A field the schema fills in when it is left out. */
function isOptional(kernel: AnyKernelMeta, field: string): boolean {
	const entry = ((kernel.specSchema as v.GenericSchema & SchemaShape).entries ?? {})[field];
	return entry?.type === 'optional' || entry?.type === 'exact_optional' || entry?.type === 'nullish';
}
