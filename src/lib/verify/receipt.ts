import { signEd25519 } from './ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Receipt, UnsignedReceipt } from '../protocol/auth.js';
import { base64urlToBytes, bytesToBase64url } from './base64url.js';
import { canonicalReceiptBytes } from './canonical.js';

/** A valid receipt's JSON is under 700 bytes; anything far larger is refused before parsing. */
export const RECEIPT_HEADER_CHARS_MAX = 2048;

/** The worker signs the canonical receipt encoding with its identity key. */
export async function signReceipt(unsigned: UnsignedReceipt, secretKey: Uint8Array): Promise<Receipt> {
	const signature = signEd25519(canonicalReceiptBytes(unsigned), secretKey);
	return { ...unsigned, signature: bytesToHex(signature) };
}

/** The RECEIPT_HEADER value: base64url (no padding) of the receipt's JSON. */
export function encodeReceiptHeader(receipt: Receipt): string {
	return bytesToBase64url(new TextEncoder().encode(JSON.stringify(receipt)));
}

/**
 * Decodes a RECEIPT_HEADER value to untrusted JSON; validate it with ReceiptSchema and check
 * its signature before use. Throws a readable Error on oversize, bad base64url or bad JSON.
 */
export function decodeReceiptHeader(header: string): unknown {
	if (header.length > RECEIPT_HEADER_CHARS_MAX) {
		throw new Error(`receipt header is ${header.length} characters; at most ${RECEIPT_HEADER_CHARS_MAX} allowed`);
	}
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(base64urlToBytes(header));
	} catch (cause) {
		throw new Error(`receipt header is not base64url of UTF-8 text: ${String(cause)}`);
	}
	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw new Error('receipt header does not decode to JSON');
	}
}
