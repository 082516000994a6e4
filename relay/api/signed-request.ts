import type { Request } from 'express';
import type { RelayContext } from '../context.js';
import { verifySignedRequest } from '../auth/verify-request.js';
import { HttpError } from './http-error.js';
import { RateLimited } from './rate-limited.js';

/** The origin the browser signed for, if it is one of ours. */
export function requestOrigin(req: Request, allowed: Set<string>): string {
	const origin = `${req.protocol}://${req.headers.host ?? ''}`;
	if (!allowed.has(origin)) {
		throw new HttpError(401, 'unauthenticated', `this relay does not serve origin ${origin}; set PUBLIC_ORIGIN to the address browsers use`);
	}
	return origin;
}

/** Verifies the request signature over the exact bytes received; returns the signer's key. */
export function verifyRequest(ctx: RelayContext, req: Request, origins: Set<string>, body: Uint8Array, now: number): string {
	const result = verifySignedRequest({
		origin: requestOrigin(req, origins),
		method: req.method,
		path: req.originalUrl,
		headers: req.headers,
		body,
		now,
		startedAt: ctx.startedAt,
		nonces: ctx.nonces
	});
	if (!result.ok && result.status === 429) {
		// The key really signed it: it pays, so a key over its share of the replay cache is soon
		// refused by its bucket, before its signatures are even checked.
		ctx.limiter.chargeKey(result.key, now);
		throw new RateLimited(result.message, result.retryAfterMs);
	}
	if (!result.ok) throw new HttpError(result.status, result.code, result.message);
	return result.key;
}
