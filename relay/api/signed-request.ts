import type { Request } from 'express';
import type { RelayContext } from '../context.js';
import { verifySignedRequest } from '../auth/verify-request.js';
import { DomainError } from '../domain-error.js';
import { rateLimited } from '../domain-error.js';

/** The origin the browser signed for, if it is one of ours. */
function requestOrigin(req: Request, allowed: Set<string>): string {
	const origin = `${req.protocol}://${req.headers.host ?? ''}`;
	if (!allowed.has(origin)) {
		throw new DomainError('unauthenticated', `this relay does not serve origin ${origin}; set PUBLIC_ORIGIN to the address browsers use`);
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
		throw rateLimited(result.message, result.retryAfterMs);
	}
	if (!result.ok) throw new DomainError(result.code, result.message);
	return result.key;
}
