// What one relay HTTP endpoint is, as data: the relay's route definitions and the client are both
// typed by it (endpoints.ts holds the table), so a path, a method or a schema is written once.
import type * as v from 'valibot';

type HttpMethod = 'GET' | 'POST';

/**
 * The request limit an endpoint counts against (the relay's request-limits.ts): unsigned reads,
 * signed JSON writes, byte uploads, and the starter-grant route's own bucket.
 */
export type LimitClass = 'read' | 'write' | 'upload' | 'grant';

/** How the relay answers: JSON, raw bytes, a msgpack value, or a stream of server-sent events (one JSON value each). */
type AnswerKind = 'json' | 'bytes' | 'msgpack' | 'events';

interface EndpointBase {
	method: HttpMethod;
	/** Express-style pattern under API_PREFIX: `/jobs/:id/cancel`. */
	path: `/${string}`;
	/** Writes are signed (relay/auth); reads are not. */
	signed: boolean;
	/** The class of request limit, where it is not the default for its kind (reads, signed writes, uploads). */
	limit?: LimitClass;
	answer: AnswerKind;
	/** What the answer holds: the JSON or msgpack value, one event of a stream, or the bytes. */
	response: v.GenericSchema;
}

/** A JSON body is one object, validated by `request` (use EmptyRequestSchema for `{}`). */
interface JsonBodyEndpoint extends EndpointBase {
	body: 'json';
	request: v.GenericSchema;
}

/** Raw bytes, at most `bodyBytesMax` of them. */
interface BytesBodyEndpoint extends EndpointBase {
	body: 'bytes';
	bodyBytesMax: number;
}

interface NoBodyEndpoint extends EndpointBase {
	body: 'none';
}

export type Endpoint = JsonBodyEndpoint | BytesBodyEndpoint | NoBodyEndpoint;

/** The names of a path pattern's parameters: `'id' | 'idx'` for `/jobs/:id/tasks/:idx/result`. */
export type PathParamName<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
	? Name | PathParamName<`/${Rest}`>
	: P extends `${string}:${infer Name}`
		? Name
		: never;

export type PathParams<E extends Endpoint> = { [K in PathParamName<E['path']>]: string };

/** What the relay reads from a JSON body (after the schema's transforms). */
export type RequestOf<E extends Endpoint> = E extends JsonBodyEndpoint ? v.InferOutput<E['request']> : undefined;
/** What a client sends as a JSON body. */
export type RequestInputOf<E extends Endpoint> = E extends JsonBodyEndpoint ? v.InferInput<E['request']> : never;
/** What the relay answers: the wire value the response schema accepts. */
export type ResponseInputOf<E extends Endpoint> = v.InferInput<E['response']>;
/** What a client gets once the response schema has validated it. */
export type ResponseOf<E extends Endpoint> = v.InferOutput<E['response']>;

const PARAM = /:([A-Za-z]+)/g;

/**
 * The path of one request below API_PREFIX (`/jobs/j1/cancel`), each parameter percent-encoded,
 * with the query string if any.
 */
export function endpointPath<E extends Endpoint>(endpoint: E, params: PathParams<E>, query?: URLSearchParams): string {
	const values = params as Record<string, string>;
	const path = endpoint.path.replace(PARAM, (_, name: string) => {
		const value = values[name];
		if (value === undefined) throw new Error(`${endpoint.method} ${endpoint.path}: no value for :${name}`);
		return encodeURIComponent(value);
	});
	const q = query?.toString();
	return `${path}${q ? `?${q}` : ''}`;
}
