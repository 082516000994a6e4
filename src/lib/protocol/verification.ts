import * as v from 'valibot';
import { PublicKeyHexSchema, Sha256HexSchema } from './auth.js';
import { plainText } from './text.js';

/** Headers on a reveal (POST /results/:leaseId) besides the receipt: what the commitment hid. */
export const REVEAL_HEADERS = {
	/** 16 random bytes as 32 lowercase hex characters, chosen by the worker at commit time. */
	salt: 'x-mycelia-salt',
	/** Bisect-class results only: the Merkle root over the per-step state hashes (64 hex). */
	merkleRoot: 'x-mycelia-merkle-root',
	/**
	 * Bisect-class results only: the proof that the last leaf under that root is the hash of the
	 * uploaded final state: log2(steps) comma-separated 64-hex hashes, leaf level first.
	 */
	finalProof: 'x-mycelia-final-proof'
} as const;

/** POST /api/v1/trusted-keys (operator only): mark or unmark a key as a trusted referee. */
export const TrustedKeyRequestSchema = v.strictObject({
	key: PublicKeyHexSchema,
	trusted: v.boolean(),
	note: plainText(200)
});
const TrustedKeySchema = v.object({ key: PublicKeyHexSchema, note: v.string(), addedAt: v.number() });
export type TrustedKey = v.InferOutput<typeof TrustedKeySchema>;
export const TrustedKeysSchema = v.object({ keys: v.array(TrustedKeySchema) });
