import * as v from 'valibot';
import { PublicKeyHexSchema } from './auth.js';
import { plainText } from './text.js';

/** A client-chosen idempotency reference: the same ref always names the same request. */
const RefSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/));
const AmountSchema = v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(1_000_000_000_000));

/** POST /api/v1/stakes (signed): move credits from your balance into your stake. */
export const StakeRequestSchema = v.strictObject({ amountMicro: AmountSchema, ref: RefSchema });
export type StakeRequest = v.InferOutput<typeof StakeRequestSchema>;

/**
 * POST /api/v1/unstakes (signed): start withdrawing stake. The credits leave the stake at once
 * but stay slashable until `releaseAt`, when they return to the balance.
 */
export const UnstakeRequestSchema = v.strictObject({ amountMicro: AmountSchema, ref: RefSchema });
export type UnstakeRequest = v.InferOutput<typeof UnstakeRequestSchema>;

const UnstakeSchema = v.object({
	id: v.string(),
	amountMicro: v.number(),
	requestedAt: v.number(),
	releaseAt: v.number(),
	releasedAt: v.nullable(v.number())
});

/**
 * POST /api/v1/redemptions (signed): ask to cash out. Only the intent is recorded (there are no
 * payment rails); the credits are locked so they cannot be spent twice.
 */
export const RedemptionRequestSchema = v.strictObject({
	amountMicro: AmountSchema,
	destination: plainText(200, 3),
	ref: RefSchema
});
export type RedemptionRequest = v.InferOutput<typeof RedemptionRequestSchema>;

const RedemptionSchema = v.object({
	id: v.string(),
	amountMicro: v.number(),
	destination: v.string(),
	state: v.picklist(['requested']),
	createdAt: v.number()
});

/** What a key holds, as the /ledger page shows it. Every stake write answers with this. */
export const HoldingsSchema = v.object({
	key: PublicKeyHexSchema,
	/** Credits bought or earned: what can be staked, redeemed or spent. */
	balanceMicro: v.number(),
	/** Starter credits: spendable on jobs and training budgets only. */
	starterMicro: v.optional(v.number(), 0),
	stakeMicro: v.number(),
	unstakingMicro: v.number(),
	redeemingMicro: v.number(),
	unstakeDelayMs: v.number(),
	unstakes: v.array(UnstakeSchema),
	redemptions: v.array(RedemptionSchema)
});
export type Holdings = v.InferOutput<typeof HoldingsSchema>;
