import type { Request, Response } from 'express';
import type { Endpoint, PathParams, RequestOf, ResponseInputOf } from '../../src/lib/protocol/endpoints-shape.js';
import type { RelayContext } from '../context.js';

/** What a handler gets: the parsed body, the verified key on signed routes, and the relay. */
export interface RouteInput<E extends Endpoint> {
	ctx: RelayContext;
	req: Request;
	res: Response;
	params: PathParams<E>;
	/** The JSON body as the endpoint's request schema parsed it; undefined for other bodies. */
	body: RequestOf<E>;
	/** Raw body bytes (for binary uploads). */
	raw: Uint8Array;
	/** The verified signer on signed routes; null on unsigned ones. */
	key: E['signed'] extends true ? string : null;
	now: number;
}

/** What a JSON endpoint's handler answers (status 200 unless set), or nothing when it wrote the response itself. */
export type RouteAnswer<E extends Endpoint> = E['answer'] extends 'json' ? { status?: number; json: ResponseInputOf<E> } | void : void;

/** A route as the server mounts it: its endpoint and a handler whose types were checked by defineRoute. */
export interface Route {
	readonly endpoint: Endpoint;
	handle(input: Omit<RouteInput<Endpoint>, 'params' | 'body' | 'key'> & { params: Record<string, string>; body: unknown; key: string | null }): Promise<{ status?: number; json: unknown } | void>;
}

/**
 * Defines the route for one endpoint of the table (src/lib/protocol/endpoints.ts): its method,
 * path, signing, body and schemas come from there; the handler's body, key and answer are typed by it.
 */
export function defineRoute<E extends Endpoint>(endpoint: E, route: { handle(input: RouteInput<E>): Promise<RouteAnswer<E>> }): Route {
	// The one place the endpoint's types are erased: the server hands every route the same shape.
	return { endpoint, handle: route.handle.bind(route) as unknown as Route['handle'] };
}
