import type { ErrorCode } from '../../src/lib/protocol/errors.js';
import type { DomainError } from '../domain-error.js';

/** The HTTP status of each refusal, by its code: the one place the relay's errors meet HTTP. */
export const HTTP_STATUS_OF_CODE: Record<ErrorCode, number> = {
	bad_request: 400,
	payload_too_large: 413,
	unsupported_media_type: 415,
	not_found: 404,
	unknown_kernel: 404,
	invalid_spec: 400,
	budget_too_low: 402,
	insufficient_funds: 402,
	unauthenticated: 401,
	bad_signature: 401,
	stale_signature: 401,
	replayed_nonce: 401,
	forbidden: 403,
	lease_not_held: 409,
	lease_expired: 410,
	receipt_mismatch: 400,
	conflict: 409,
	grant_used: 409,
	grant_disabled: 403,
	grant_limit: 429,
	job_closed: 409,
	rate_limited: 429,
	stake_required: 403,
	reveal_not_open: 425,
	commitment_mismatch: 400,
	dispute_closed: 409,
	internal: 500
};

/**
 * Where a refusal only for now (DomainError.transient) has a status of its own: a reveal before
 * its commitment is a conflict with the lease's state, not a bad reveal; an internal shortage
 * (no free join code) is 503, not a bug.
 */
const TRANSIENT_STATUS_OF_CODE: Partial<Record<ErrorCode, number>> = {
	commitment_mismatch: 409,
	internal: 503
};

export function httpStatusOf(err: DomainError): number {
	return (err.transient ? TRANSIENT_STATUS_OF_CODE[err.code] : undefined) ?? HTTP_STATUS_OF_CODE[err.code];
}

/** The Retry-After header's value, whole seconds (at least 1), for a refusal that says when. */
export function retryAfterSeconds(err: DomainError): number | null {
	return err.retryAfterMs === undefined ? null : Math.max(1, Math.ceil(err.retryAfterMs / 1000));
}
