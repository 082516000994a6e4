import * as v from 'valibot';
import { plainText } from './text.js';

/** Headers that carry a request signature (see src/lib/verify/request-signature.ts). */
export const AUTH_HEADERS = {
	version: 'x-mycelia-version',
	key: 'x-mycelia-key',
	timestamp: 'x-mycelia-timestamp',
	nonce: 'x-mycelia-nonce',
	signature: 'x-mycelia-signature'
} as const;

/** Header that carries a result receipt (base64url of its JSON). */
export const RECEIPT_HEADER = 'x-mycelia-receipt';

/** An ed25519 public key: 32 bytes as 64 lowercase hex characters. It is the account id. */
export const PublicKeyHexSchema = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'a 32-byte hex public key'));
/** An ed25519 signature: 64 bytes as 128 lowercase hex characters. */
export const SignatureHexSchema = v.pipe(v.string(), v.regex(/^[0-9a-f]{128}$/, 'a 64-byte hex signature'));
/** A SHA-256 digest as 64 lowercase hex characters. */
export const Sha256HexSchema = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'a SHA-256 hex digest'));
/** A request nonce: 16 random bytes as 32 lowercase hex characters. */
export const NonceHexSchema = v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/, 'a 16-byte hex nonce'));

/**
 * A worker's signed statement that it computed these bytes for this lease. Kept as evidence
 * for disputes; the relay checks it against the lease and the uploaded bytes.
 */
export const ReceiptSchema = v.strictObject({
	v: v.literal(1),
	taskId: plainText(128, 1),
	leaseId: plainText(64, 1),
	kernel: plainText(64, 1),
	kernelVersion: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
	sha256: Sha256HexSchema,
	worker: PublicKeyHexSchema,
	signature: SignatureHexSchema
});
export type Receipt = v.InferOutput<typeof ReceiptSchema>;
export type UnsignedReceipt = Omit<Receipt, 'signature'>;
