// What every route gets is decoded and validated here, before its handler runs: path parameters
// (plain text of bounded length), the JSON body (one JSON object, checked by the route's schema),
// and the transport errors Express and body-parser raise on the way (bad percent-encoding, a
// compressed or truncated body), each mapped to a 4xx in words instead of a 500.
import * as v from 'valibot';
import { isPlainText } from '../../src/lib/protocol/text.js';
import { DomainError } from '../domain-error.js';
import { describeIssues } from './validation-issues.js';

/** Longest path parameter any route takes (ids are at most 128 characters; the slack is for the 404). */
const PATH_PARAM_CHARS_MAX = 200;

/** Refuses a path parameter no route could mean: control characters (NUL reaches Postgres text) or absurd length. */
export function checkPathParams(params: Record<string, string | undefined>): void {
	for (const [name, value] of Object.entries(params)) {
		if (value === undefined) continue;
		if (value.length > PATH_PARAM_CHARS_MAX) throw new DomainError('bad_request', `path parameter ${name} is longer than ${PATH_PARAM_CHARS_MAX} characters`);
		if (!isPlainText(value)) throw new DomainError('bad_request', `path parameter ${name} contains a control character or an unpaired surrogate`);
	}
}

const EMPTY_OBJECT = v.strictObject({});

const isJsonObject = (json: unknown): json is Record<string, unknown> => typeof json === 'object' && json !== null && !Array.isArray(json);

/**
 * Parses a JSON request body and validates it with the route's schema. Every JSON route takes
 * one object: valibot's object schemas also accept arrays (`[]` passes `v.strictObject({})`),
 * so anything else is refused here first. A route without a schema takes the empty object.
 */
export function decodeJsonBody<Body>(raw: Uint8Array, schema: v.GenericSchema<unknown, Body> | undefined): Body | Record<string, never> {
	let json: unknown;
	try {
		json = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
	} catch {
		throw new DomainError('bad_request', raw.byteLength === 0 ? 'request body is empty; send a JSON object' : 'request body is not valid JSON');
	}
	if (!isJsonObject(json)) throw new DomainError('bad_request', `request body must be a JSON object, not ${Array.isArray(json) ? 'an array' : json === null ? 'null' : `a ${typeof json}`}`);
	const parsed = v.safeParse(schema ?? EMPTY_OBJECT, json);
	if (!parsed.success) {
		const { details, text } = describeIssues(parsed.issues, 'body');
		throw new DomainError('bad_request', `invalid request: ${text}`, { details });
	}
	return parsed.output;
}

/**
 * Express and body-parser errors that are the client's doing, as the refusal they are; null for
 * anything else (a bug, which stays a 500). Bodies are read with `inflate: false`: the relay
 * signs and hashes the bytes it receives, so a compressed body is refused, not inflated.
 */
export function transportError(err: unknown): DomainError | null {
	// Express decodes path parameters with decodeURIComponent and passes its URIError on.
	if (err instanceof URIError) return new DomainError('bad_request', 'the request path has malformed percent-encoding');
	if (typeof err !== 'object' || err === null || !('type' in err)) return null;
	switch (err.type) {
		case 'entity.too.large':
			return new DomainError('payload_too_large', 'request body is larger than this route accepts');
		case 'request.aborted':
			return new DomainError('bad_request', 'request body was cut off');
		case 'request.size.invalid':
			return new DomainError('bad_request', 'request body length does not match its Content-Length');
		case 'encoding.unsupported':
			return new DomainError('unsupported_media_type', 'request bodies must be sent uncompressed (no Content-Encoding, or identity)');
		case 'charset.unsupported':
			return new DomainError('unsupported_media_type', 'request bodies must be UTF-8');
		default:
			return null;
	}
}
