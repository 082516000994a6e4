// The byte strings that signatures cover: the single source of truth for browser and relay.
// One field per line, so a field may never contain "\n" (it could forge a line boundary);
// anything that would make the encoding ambiguous is refused, never normalised, because a
// normalisation on one side only is a signature that mysteriously fails on the other.
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { UnsignedReceipt } from '../protocol/auth.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';

/** What a request signature binds. `path` includes the query string. */
export interface CanonicalRequestFields {
	/** The relay's origin, e.g. `http://127.0.0.1:8787`: scheme, host, port, no trailing slash. */
	origin: string;
	/** Upper-case HTTP method, e.g. `POST`. */
	method: string;
	/** Path and query exactly as sent, e.g. `/api/v1/jobs?after=3`. */
	path: string;
	/** SHA-256 hex of the exact body bytes (of zero bytes when there is no body). */
	bodySha256: string;
	/** Milliseconds since the epoch. */
	timestamp: number;
	/** 16 random bytes as 32 lowercase hex characters. */
	nonce: string;
}

const HEX_64 = /^[0-9a-f]{64}$/;
const HEX_32 = /^[0-9a-f]{32}$/;

function refuse(what: string, value: string): never {
	throw new Error(`cannot sign: ${what} (got ${JSON.stringify(value.slice(0, 80))})`);
}

function line(what: string, value: string): string {
	if (value.includes('\n')) refuse(`${what} contains a newline`, value);
	return value;
}

/** The request encoding as text: seven lines joined by "\n". Throws on an ambiguous field. */
export function canonicalRequestText(f: CanonicalRequestFields): string {
	if (!/^https?:\/\/[^/\s]+$/.test(f.origin)) refuse('origin must be scheme://host[:port] with no path or trailing slash', f.origin);
	if (!/^[A-Z]+$/.test(f.method)) refuse('method must be upper-case letters', f.method);
	if (!f.path.startsWith('/')) refuse('path must start with "/"', f.path);
	if (!HEX_64.test(f.bodySha256)) refuse('body hash must be 64 lowercase hex characters', f.bodySha256);
	if (!Number.isSafeInteger(f.timestamp) || f.timestamp < 0) refuse('timestamp must be a non-negative integer of ms', String(f.timestamp));
	if (!HEX_32.test(f.nonce)) refuse('nonce must be 32 lowercase hex characters', f.nonce);
	return [
		`mycelia-request/${PROTOCOL_VERSION}`,
		line('origin', f.origin),
		`${f.method} ${line('path', f.path)}`,
		f.bodySha256,
		String(f.timestamp),
		f.nonce
	].join('\n');
}

/** The UTF-8 bytes a request signature covers. */
export function canonicalRequestBytes(f: CanonicalRequestFields): Uint8Array {
	return utf8ToBytes(canonicalRequestText(f));
}

/** The receipt encoding as text: six lines joined by "\n". Throws on an ambiguous field. */
export function canonicalReceiptText(r: UnsignedReceipt): string {
	if (!Number.isSafeInteger(r.kernelVersion) || r.kernelVersion < 1) refuse('kernel version must be a positive integer', String(r.kernelVersion));
	if (!HEX_64.test(r.sha256)) refuse('result hash must be 64 lowercase hex characters', r.sha256);
	if (!HEX_64.test(r.worker)) refuse('worker key must be 64 lowercase hex characters', r.worker);
	return [
		`mycelia-receipt/${r.v}`,
		line('task id', r.taskId),
		line('lease id', r.leaseId),
		`${line('kernel', r.kernel)}@${r.kernelVersion}`,
		r.sha256,
		r.worker
	].join('\n');
}

/** The UTF-8 bytes a receipt signature covers. */
export function canonicalReceiptBytes(r: UnsignedReceipt): Uint8Array {
	return utf8ToBytes(canonicalReceiptText(r));
}
