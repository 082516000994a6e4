import * as v from 'valibot';

/** Every error the relay returns has this shape and a stable code a client can branch on. */
export const ERROR_CODES = [
	'bad_request',
	'payload_too_large',
	'unsupported_media_type',
	'not_found',
	'unknown_kernel',
	'invalid_spec',
	'budget_too_low',
	'insufficient_funds',
	'unauthenticated',
	'bad_signature',
	'stale_signature',
	'replayed_nonce',
	'forbidden',
	'lease_not_held',
	'lease_expired',
	'receipt_mismatch',
	'conflict',
	'grant_used',
	'grant_disabled',
	'grant_limit',
	'job_closed',
	'rate_limited',
	'stake_required',
	'reveal_not_open',
	'commitment_mismatch',
	'dispute_closed',
	'internal'
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorBodySchema = v.object({
	error: v.object({
		code: v.picklist(ERROR_CODES),
		message: v.string(),
		details: v.optional(v.unknown())
	})
});
export type ErrorBody = v.InferOutput<typeof ErrorBodySchema>;
