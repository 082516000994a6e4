import type { NextFunction, Request, Response } from 'express';
import { readHeaders } from '../auth/verify-request.js';
import type { RelayContext } from '../context.js';
import { DomainError } from '../domain-error.js';
import { requestAddressKey } from '../limits/address-key.js';
import type { RouteClass } from '../limits/request-limits.js';
import { rateLimited } from '../domain-error.js';
import { sendError } from './send-error.js';

/**
 * The first thing every API route runs, before its body is read, its signature checked or the
 * database touched: the address's bucket for the route's class, then (signed routes) whether
 * the key the request claims may send more (malformed signature headers are refused here too,
 * unread). A refusal is a 429 with Retry-After.
 */
export function admission(ctx: RelayContext, cls: RouteClass, signed: boolean) {
	// Refusals are answered here, not passed down Express's error chain: a flood costs the least.
	return (req: Request, res: Response, next: NextFunction): void => {
		const now = Date.now();
		const byAddress = ctx.limiter.admitAddress(cls, requestAddressKey(req, ctx.config.trustProxy), now);
		if (byAddress) return sendError(res, rateLimited(byAddress.message, byAddress.retryAfterMs));
		if (!signed) return next();
		const headers = readHeaders(req.headers);
		if ('ok' in headers) return sendError(res, new DomainError(headers.code, headers.message));
		const byKey = ctx.limiter.peekKey(headers.key, now);
		if (byKey) return sendError(res, rateLimited(byKey.message, byKey.retryAfterMs));
		next();
	};
}
