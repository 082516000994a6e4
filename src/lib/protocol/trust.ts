import * as v from 'valibot';
import { PublicKeyHexSchema } from './auth.js';

/** Trust events shown per key on /trust. */
export const TRUST_EVENTS_MAX = 50;

const TrustEventSchema = v.object({
	id: v.string(),
	at: v.number(),
	kind: v.picklist(['invalid', 'slash', 'clawback', 'voided', 'dispute', 'abandoned', 'rejected-delta']),
	jobId: v.nullable(v.string()),
	taskId: v.nullable(v.string()),
	amountMicro: v.number(),
	detail: v.string()
});
export type TrustEvent = v.InferOutput<typeof TrustEventSchema>;

/**
 * GET /api/v1/accounts/:key/trust: the key's reputation and what the scheduler does with it.
 * `spotCheckProbability` is the chance that a task this key takes is also given to another key
 * (1 while the key is new or after an invalid result).
 */
export const TrustSchema = v.object({
	key: PublicKeyHexSchema,
	validStreak: v.number(),
	validTotal: v.number(),
	invalidTotal: v.number(),
	spotCheckProbability: v.number(),
	replicatedUntilStreak: v.number(),
	slashedMicro: v.number(),
	clawedBackMicro: v.number(),
	events: v.array(TrustEventSchema)
});
export type Trust = v.InferOutput<typeof TrustSchema>;
