import express, { type NextFunction, type Request, type Response } from 'express';
import type { Endpoint } from '../../src/lib/protocol/endpoints-shape.js';
import { JSON_BODY_BYTES_MAX } from '../../src/lib/protocol/limits.js';
import { API_PREFIX } from '../../src/lib/protocol/version.js';
import type { RelayContext } from '../context.js';
import type { RouteClass } from '../limits/request-limits.js';
import { admission } from './admission.js';
import { checkPathParams, decodeJsonBody } from './decode-request.js';
import type { Route } from './route.js';
import { ROUTES } from './routes/index.js';
import { verifyRequest } from './signed-request.js';

function bodyBytes(req: Request): Uint8Array {
	return Buffer.isBuffer(req.body) ? new Uint8Array(req.body.buffer, req.body.byteOffset, req.body.byteLength) : new Uint8Array(0);
}

/** Which request limit an endpoint counts against (relay/limits/request-limits.ts). */
function routeClass(endpoint: Endpoint): RouteClass {
	if (endpoint.limit) return endpoint.limit;
	if (!endpoint.signed) return 'read';
	return endpoint.body === 'bytes' ? 'upload' : 'write';
}

function mountRoute(app: express.Express, ctx: RelayContext, origins: Set<string>, route: Route): void {
	const { endpoint } = route;
	// Limits first: a refused request costs no body read, no signature check, no database work.
	const middleware = [
		admission(ctx, routeClass(endpoint), endpoint.signed),
		...(endpoint.body === 'none' ? [] : [express.raw({ type: () => true, limit: endpoint.body === 'bytes' ? endpoint.bodyBytesMax : JSON_BODY_BYTES_MAX, inflate: false })])
	];
	const handle = async (req: Request, res: Response, next: NextFunction) => {
		try {
			const now = Date.now();
			checkPathParams(req.params);
			const raw = bodyBytes(req);
			const key = endpoint.signed ? verifyRequest(ctx, req, origins, raw, now) : null;
			// Only a request whose signature verified counts against its key (see admission.ts).
			if (key) ctx.limiter.chargeKey(key, now);
			const body = endpoint.body === 'json' ? decodeJsonBody(raw, endpoint.request) : undefined;
			const out = await route.handle({ ctx, req, res, params: req.params, body, raw, key, now });
			if (out) res.status(out.status ?? 200).json(out.json);
		} catch (err) {
			next(err);
		}
	};
	// Express 4 ignores a handler's promise; handle() passes every error to next() itself.
	const handler = (req: Request, res: Response, next: NextFunction): void => void handle(req, res, next);
	const path = API_PREFIX + endpoint.path;
	if (endpoint.method === 'GET') app.get(path, ...middleware, handler);
	else app.post(path, ...middleware, handler);
}

/** Mounts every API route, in ROUTES order, on the relay's app. */
export function mountRoutes(app: express.Express, ctx: RelayContext, origins: Set<string>): void {
	for (const route of ROUTES) mountRoute(app, ctx, origins, route);
}
