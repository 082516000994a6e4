import type { Request, Response } from 'express';
import type * as v from 'valibot';
import type { RelayContext } from '../context.js';
import type { RouteClass } from '../limits/request-limits.js';

/** What a handler gets: the parsed body, the verified key for signed routes, and the relay. */
export interface RouteInput<Body> {
	ctx: RelayContext;
	req: Request;
	res: Response;
	params: Record<string, string>;
	body: Body;
	/** Raw body bytes (for binary uploads). */
	raw: Uint8Array;
	/** The verified signer; null on unsigned routes. */
	key: string | null;
	now: number;
}

export interface Route<Body = unknown> {
	method: 'GET' | 'POST';
	path: string;
	/** Writes are signed; reads are not. */
	signed: boolean;
	/** The request limit it counts against; by default reads, signed writes or uploads (relay/limits/). */
	limit?: RouteClass;
	/** 'json' bodies are validated by `schema`; 'bytes' are handed over raw. */
	body: 'none' | 'json' | 'bytes';
	bodyLimitBytes?: number;
	schema?: v.GenericSchema<unknown, Body>;
	/** Returns the JSON to send (status 200, or `status` when set), or nothing when it wrote the response itself. */
	handle(input: RouteInput<Body>): Promise<{ status?: number; json: unknown } | void>;
}

/** Identity helper so each route file gets its body type inferred from its schema. */
export function defineRoute<Body>(route: Route<Body>): Route<Body> {
	return route;
}
