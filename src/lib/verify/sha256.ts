import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** SHA-256 of the exact bytes, as 64 lowercase hex characters. Same in browsers and Node. */
export function sha256Hex(bytes: Uint8Array): string {
	return bytesToHex(sha256(bytes));
}
