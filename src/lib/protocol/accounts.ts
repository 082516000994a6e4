import * as v from 'valibot';
import { PublicKeyHexSchema } from './auth.js';

/** GET /api/v1/accounts/:key */
export const AccountSchema = v.object({
	key: PublicKeyHexSchema,
	balanceMicro: v.number(),
	demoGranted: v.boolean(),
	resultsAccepted: v.number(),
	resultsRejected: v.number(),
	earnedMicro: v.number()
});
export type Account = v.InferOutput<typeof AccountSchema>;

/** POST /api/v1/grants/demo (signed, empty JSON body `{}`): starter credits, once per key. */
export const GrantResponseSchema = v.object({ key: PublicKeyHexSchema, grantedMicro: v.number(), balanceMicro: v.number() });
export type GrantResponse = v.InferOutput<typeof GrantResponseSchema>;

/** POST /api/v1/mint (signed by the operator key only). */
export const MintRequestSchema = v.strictObject({
	to: PublicKeyHexSchema,
	amountMicro: v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(1_000_000_000_000)),
	ref: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/))
});

/** GET /api/v1/info: what a client needs before its first signed request. */
export const InfoSchema = v.object({
	protocol: v.number(),
	now: v.number(),
	startedAt: v.number(),
	feeBps: v.number(),
	demoGrantMicro: v.number(),
	leaseMs: v.number(),
	operatorKey: v.nullable(PublicKeyHexSchema),
	testHooks: v.boolean(),
	kernels: v.array(v.object({ id: v.string(), version: v.number(), verification: v.string() }))
});
export type Info = v.InferOutput<typeof InfoSchema>;
