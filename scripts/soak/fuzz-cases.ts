// The fuzz soak's cases, as fast-check arbitraries: each one takes a valid request of the setup
// (a template) and breaks exactly one thing, its body (from the route's own valibot schema), its
// transport (Content-Encoding, not JSON, empty, oversized), its signature (missing, malformed,
// forged, tampered, stale, for another origin, path or method, replayed), its path (bad
// percent-encoding, NUL and other control characters, overlong, unknown ids) or, for result
// uploads, its receipt, salt or bytes; besides those, unknown routes and methods, event streams,
// PeerJS WebSocket upgrades with hand-made frames, and malformed HTTP. A case marked
// `mustRefuse` is invalid by construction: any 2xx answer to it is a finding.
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import * as v from 'valibot';
import { AUTH_HEADERS, RECEIPT_HEADER, ReceiptSchema, type Receipt } from '../../src/lib/protocol/auth.js';
import { JSON_BODY_BYTES_MAX, RESULT_BYTES_MAX, SIGNATURE_SKEW_MS_MAX } from '../../src/lib/protocol/limits.js';
import { MAILBOX_MESSAGE_BYTES_MAX } from '../../src/lib/protocol/mesh-mailbox.js';
import { API_PREFIX } from '../../src/lib/protocol/version.js';
import { REVEAL_HEADERS } from '../../src/lib/protocol/verification.js';
import { encodeReceiptHeader, RECEIPT_HEADER_CHARS_MAX } from '../../src/lib/verify/receipt.js';
import { NodeSigner } from '../../relay/testing/node-signer.js';
import type { Scenario, Template } from './fuzz-scenario.js';
import { acceptedBody, invalidVariants, overTheWire } from './fuzz-schema.js';
import { wsFrame, wsUpgrade, type WireRequest } from './fuzz-wire.js';

interface Env {
	url: string;
	now: number;
}

export type Case =
	| { kind: 'http'; route: string; mutation: string; mustRefuse: boolean; req: WireRequest }
	| { kind: 'sse'; route: string; mutation: string; path: string; holdMs: number }
	| { kind: 'raw'; route: string; mutation: string; bytes: Uint8Array; after: Uint8Array[]; holdMs: number }
	/** A body variant the schema accepts after all: not sent. */
	| { kind: 'discard'; route: string; mutation: string };

/** A case is built when it is sent: signatures need the relay's URL and the time. */
export type Plan = (env: Env) => Case;

const encoder = new TextEncoder();
/** Lowercase hex of `min`..`max` characters (fast-check 4 has no hexaString). */
const hex = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: min, maxLength: max });
const utf8 = (s: string) => encoder.encode(s);

/** Where a case claims to come from (TRUST_PROXY=1): public addresses, spread so no one address's limits decide. */
const address = fc.tuple(fc.constantFrom(23, 45, 66, 81, 92, 104, 151, 185, 203), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((o) => o.join('.'));

const fillPath = (t: Template, params: Record<string, string>, query?: Record<string, string> | string) => {
	const path = t.path.replace(/:(\w+)/g, (_, name: string) => params[name] ?? '');
	const q = typeof query === 'string' ? query : query ? new URLSearchParams(query).toString() : '';
	return `${API_PREFIX}${path}${q ? `?${q}` : ''}`;
};
const encodedParams = (t: Template) => Object.fromEntries(Object.entries(t.params).map(([k, x]) => [k, encodeURIComponent(x)]));

/** Signature headers over exactly what is sent; none when the path cannot even be signed. */
function sign(signer: NodeSigner | null, env: Env, method: string, path: string, body: Uint8Array, now = env.now, origin = env.url): Record<string, string> {
	if (!signer) return {};
	try {
		return signer.headers(origin, method, path, body, now);
	} catch {
		return {};
	}
}

function bodyOf(t: Template): { bytes: Uint8Array; headers: Record<string, string> } {
	if (t.body.kind === 'json') return { bytes: utf8(JSON.stringify(t.body.value)), headers: { 'content-type': 'application/json' } };
	if (t.body.kind === 'bytes') return { bytes: t.body.bytes, headers: t.body.headers };
	return { bytes: new Uint8Array(0), headers: {} };
}

const limitOf = (t: Template) => (t.path.startsWith('/results') ? RESULT_BYTES_MAX : t.path.includes('/from/') ? MAILBOX_MESSAGE_BYTES_MAX : JSON_BODY_BYTES_MAX);

function request(t: Template, env: Env, xff: string, over: { path?: string; bytes?: Uint8Array; headers?: Record<string, string>; sign?: boolean }): WireRequest {
	const base = bodyOf(t);
	const path = over.path ?? fillPath(t, encodedParams(t), t.query);
	const bytes = over.bytes ?? base.bytes;
	const headers = { ...base.headers, 'x-forwarded-for': xff, ...over.headers };
	if (t.method === 'GET') return { method: 'GET', path, headers: { 'x-forwarded-for': xff, ...over.headers } };
	return { method: 'POST', path, headers: { ...headers, ...(over.sign === false ? {} : sign(t.signer, env, 'POST', path, bytes)) }, body: bytes };
}

const http = (t: Template, mutation: string, mustRefuse: boolean, req: WireRequest): Case => ({ kind: 'http', route: t.name, mutation, mustRefuse, req });

/** Broken JSON-body variants from the route's schema; a variant the schema still accepts is discarded. */
function bodyCases(t: Template): fc.Arbitrary<Plan> | null {
	if (t.body.kind !== 'json') return null;
	const { schema, value } = t.body;
	const bad = invalidVariants(schema, value);
	if (!bad) return null;
	return fc.tuple(bad, address).map(([x, xff]): Plan => (env) => {
		const wire = overTheWire(x);
		if (acceptedBody(schema, wire)) return { kind: 'discard', route: t.name, mutation: 'body' };
		const text = JSON.stringify(x);
		return http(t, 'body', true, request(t, env, xff, { bytes: utf8(text ?? '') }));
	});
}

const deepNesting = (n: number, open: string, close: string) => open.repeat(n) + close.repeat(n);

function transportCases(t: Template): fc.Arbitrary<Plan> | null {
	if (t.method !== 'POST') return null;
	const limit = limitOf(t);
	const encoding = fc.tuple(fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'x-gzip', 'GZIP', 'gzip, identity', 'identity, gzip', 'zstd', 'chunked', 'identity;q=0'), fc.boolean(), address).map(
		([enc, compress, xff]): Plan => (env) => {
			const bytes = compress ? new Uint8Array(gzipSync(bodyOf(t).bytes)) : bodyOf(t).bytes;
			return http(t, `content-encoding ${enc}`, true, request(t, env, xff, { bytes, headers: { 'content-encoding': enc } }));
		}
	);
	const sized = fc.tuple(fc.oneof(fc.constant(0), fc.integer({ min: limit + 1, max: limit + 65_536 })), address).map(
		([size, xff]): Plan => (env) => http(t, size === 0 ? 'empty body' : 'oversized body', true, request(t, env, xff, { bytes: new Uint8Array(size).fill(0x7b) }))
	);
	const arbs: fc.Arbitrary<Plan>[] = [encoding, sized];
	if (t.body.kind === 'json') {
		const text = JSON.stringify(t.body.value);
		const notJson = fc.oneof(
			fc.uint8Array({ minLength: 1, maxLength: 256 }).map((b) => ({ what: 'random bytes', bytes: b })),
			fc.nat(Math.max(0, text.length - 1)).map((n) => ({ what: 'cut off JSON', bytes: utf8(text.slice(0, n)) })),
			fc.constant({ what: 'JSON after a BOM', bytes: utf8(`\ufeff${text}`) }),
			fc.integer({ min: 100, max: 7_000 }).map((n) => ({ what: 'deeply nested arrays', bytes: utf8(deepNesting(n, '[', ']')) })),
			fc.integer({ min: 100, max: 1_500 }).map((n) => ({ what: 'deeply nested objects', bytes: utf8(deepNesting(n, '{"a":', '}').replace(/}+$/, (m) => `1${m}`)) })),
			fc.constantFrom('null', '"text"', '123', 'true', '[]', '[{}]', '{"__proto__":{"admin":true}}').map((s) => ({ what: `JSON ${s.slice(0, 12)}`, bytes: utf8(s) })),
			fc.constant({ what: 'UTF-16 JSON', bytes: new Uint8Array(Buffer.from(text, 'utf16le')) })
		);
		arbs.push(fc.tuple(notJson, address).map(([b, xff]): Plan => (env) => http(t, b.what, true, request(t, env, xff, { bytes: b.bytes }))));
	}
	return fc.oneof(...arbs);
}

const SIGNATURE_BREAKS = ['missing header', 'malformed header', 'forged key', 'tampered body', 'stale', 'future', 'other origin', 'other path', 'other method', 'other version', 'other nonce'] as const;

function signatureCases(t: Template): fc.Arbitrary<Plan> | null {
	if (!t.signer || t.method !== 'POST') return null;
	const signer = t.signer;
	const field = fc.constantFrom(...(Object.values(AUTH_HEADERS) as string[]));
	return fc
		.tuple(fc.constantFrom(...SIGNATURE_BREAKS), field, fc.string({ unit: fc.constantFrom(...'0123456789abcdefXYZ -_.'), maxLength: 140 }), fc.integer({ min: 1_000, max: 86_400_000 }), address)
		.map(([kind, header, garbage, skew, xff]): Plan => (env) => {
			const { bytes, headers } = bodyOf(t);
			const path = fillPath(t, encodedParams(t), t.query);
			let auth = sign(signer, env, 'POST', path, bytes);
			let body = bytes;
			switch (kind) {
				case 'missing header':
					auth = Object.fromEntries(Object.entries(auth).filter(([k]) => k !== header));
					break;
				case 'malformed header':
					auth = { ...auth, [header]: garbage === auth[header] ? `${garbage}x` : garbage };
					break;
				case 'forged key':
					auth = { ...auth, [AUTH_HEADERS.key]: new NodeSigner().publicKeyHex };
					break;
				case 'tampered body':
					body = new Uint8Array([...bytes, 0x20]);
					break;
				case 'stale':
					auth = sign(signer, env, 'POST', path, bytes, env.now - SIGNATURE_SKEW_MS_MAX - skew);
					break;
				case 'future':
					auth = sign(signer, env, 'POST', path, bytes, env.now + SIGNATURE_SKEW_MS_MAX + skew);
					break;
				case 'other origin':
					auth = sign(signer, env, 'POST', path, bytes, env.now, 'http://evil.example:8787');
					break;
				case 'other path':
					auth = sign(signer, env, 'POST', `${path}x`, bytes);
					break;
				case 'other method':
					auth = sign(signer, env, 'GET', path, bytes);
					break;
				case 'other version':
					auth = { ...auth, [AUTH_HEADERS.version]: '2' };
					break;
				case 'other nonce':
					auth = { ...auth, [AUTH_HEADERS.nonce]: randomBytes(16).toString('hex') };
					break;
			}
			return http(t, `signature: ${kind}`, true, { method: 'POST', path, headers: { ...headers, 'x-forwarded-for': xff, ...auth }, body });
		});
}

/** Path parameters no route may take: broken percent-encoding, control characters, overlong. */
const BAD_PARAMS = ['%', '%E0%A4%A', '%ZZ', '%C0%80', '%ED%A0%80', '%FF', '%00', 'a%00b', '%01', '%0A', '%0D%0A', '%1B', '%7F', '%C2%85', '%C2%9F'];

function pathCases(t: Template): fc.Arbitrary<Plan> {
	const names = Object.keys(t.params);
	const badValue = fc.oneof(
		{ arbitrary: fc.constantFrom(...BAD_PARAMS).map((x) => ({ x, refused: true })), weight: 4 },
		{ arbitrary: fc.integer({ min: 201, max: 4_000 }).map((n) => ({ x: 'a'.repeat(n), refused: true })), weight: 1 },
		{ arbitrary: hex(8, 24).map((h) => ({ x: `fuzz-unknown-${h}`, refused: t.unknownIdRefused })), weight: 1 }
	);
	if (names.length === 0) {
		// No parameter to break: an extra path segment names no route.
		return address.map((xff): Plan => (env) => http(t, 'unknown route', t.method === 'POST', request(t, env, xff, { path: fillPath(t, {}, t.query).replace(/(\?|$)/, '/fuzz-no-such-route$1') })));
	}
	return fc.tuple(fc.constantFrom(...names), badValue, address).map(([name, bad, xff]): Plan => (env) => {
		const path = fillPath(t, { ...encodedParams(t), [name]: bad.x }, t.query);
		return http(t, `path ${name}`, bad.refused, request(t, env, xff, { path }));
	});
}

function queryCases(t: Template): fc.Arbitrary<Plan> {
	const key = fc.oneof(fc.constantFrom(...Object.keys(t.query ?? {}), 'hours', 'before', 'limit', 'requester', '__proto__'), fc.string({ unit: fc.constantFrom(...'abcxyz_[]'), maxLength: 8 }));
	const value = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('%', '%00', '%E0%A4%A', '-1', '1e9', '9'.repeat(40), 'NaN', '0x10', ''), fc.integer({ min: 1_000, max: 8_000 }).map((n) => 'z'.repeat(n)));
	return fc.tuple(fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 4 }), address).map(([pairs, xff]): Plan => (env) => {
		// Raw: percent sequences and repeated keys go out as written.
		const q = pairs.map(([k, x]) => `${encodeURIComponent(k)}=${/%/.test(x) ? x : encodeURIComponent(x)}`).join('&');
		return http(t, 'query', false, request(t, env, xff, { path: fillPath(t, encodedParams(t), q) }));
	});
}

/** A results upload broken in its receipt, salt, proof headers or bytes, and the attack of finding 7. */
function revealCases(t: Template): fc.Arbitrary<Plan> | null {
	if (!t.reveal || !t.signer) return null;
	const { lease, bytes, salt } = t.reveal;
	const signer = t.signer;
	const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
	const receiptFor = (s: NodeSigner, over: Partial<Receipt> = {}, b = bytes): Receipt => ({ ...s.receipt({ v: 1, taskId: lease.taskId, leaseId: lease.leaseId, kernel: lease.kernel, kernelVersion: lease.kernelVersion, sha256: sha(b) }), ...over });
	const valid = receiptFor(signer);
	const upload = (env: Env, xff: string, mutation: string, over: { bytes?: Uint8Array; receipt?: string | null; salt?: string | null; extra?: Record<string, string>; leaseId?: string; by?: NodeSigner }): Case => {
		const path = `${API_PREFIX}/results/${encodeURIComponent(over.leaseId ?? lease.leaseId)}`;
		const body = over.bytes ?? bytes;
		const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'x-forwarded-for': xff, ...over.extra };
		const receipt = over.receipt === undefined ? encodeReceiptHeader(valid) : over.receipt;
		if (receipt !== null) headers[RECEIPT_HEADER] = receipt;
		const s = over.salt === undefined ? salt : over.salt;
		if (s !== null) headers[REVEAL_HEADERS.salt] = s;
		return http(t, mutation, true, { method: 'POST', path, headers: { ...headers, ...sign(over.by ?? signer, env, 'POST', path, body) }, body });
	};
	const flipped = fc.nat(bytes.length - 1).map((i) => {
		const b = bytes.slice();
		b[i] = (b[i] ?? 0) ^ 0xff;
		return b;
	});
	const badReceipt = invalidVariants(ReceiptSchema, valid);
	const variants: fc.Arbitrary<(env: Env, xff: string) => Case>[] = [
		fc.constant((env, xff) => upload(env, xff, 'no receipt', { receipt: null })),
		fc.string({ maxLength: 200 }).map((g) => (env: Env, xff: string) => upload(env, xff, 'garbage receipt', { receipt: g.replace(/[^\x20-\x7e]/g, '') })),
		fc.constantFrom('null', '[]', '"x"', '{', '{"v":1}').map((j) => (env: Env, xff: string) => upload(env, xff, 'receipt not a receipt', { receipt: Buffer.from(j).toString('base64url') })),
		fc.constant((env, xff) => upload(env, xff, 'oversized receipt', { receipt: 'A'.repeat(RECEIPT_HEADER_CHARS_MAX + 1) })),
		fc.constant((env, xff) => upload(env, xff, 'receipt by another key', { receipt: encodeReceiptHeader(receiptFor(new NodeSigner())) })),
		fc.constant((env, xff) => upload(env, xff, 'receipt for another lease', { receipt: encodeReceiptHeader(receiptFor(signer, {}, bytes)), leaseId: `${lease.leaseId}x` })),
		fc.constant((env, xff) => upload(env, xff, 'receipt signature broken', { receipt: encodeReceiptHeader({ ...valid, signature: valid.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) }) })),
		flipped.map((b) => (env: Env, xff: string) => upload(env, xff, 'bytes do not match the receipt', { bytes: b })),
		flipped.map((b) => (env: Env, xff: string) => upload(env, xff, 'bytes not committed to', { bytes: b, receipt: encodeReceiptHeader(receiptFor(signer, {}, b)) })),
		fc.constant((env, xff) => upload(env, xff, 'no salt', { salt: null })),
		fc.oneof(hex(32, 32), fc.string({ maxLength: 40 })).map((s) => (env: Env, xff: string) => upload(env, xff, 'other salt', { salt: s === salt ? `${s}0` : s.replace(/[^\x20-\x7e]/g, '') })),
		fc.oneof(hex(64, 64), fc.string({ maxLength: 80 })).map((r) => (env: Env, xff: string) => upload(env, xff, 'merkle root', { extra: { [REVEAL_HEADERS.merkleRoot]: r.replace(/[^\x20-\x7e]/g, '') } })),
		fc.array(hex(64, 64), { maxLength: 24 }).map((p) => (env: Env, xff: string) => upload(env, xff, 'final proof', { extra: { [REVEAL_HEADERS.finalProof]: p.join(',') } })),
		// Finding 7: a key with no lease posts a full-size result with a receipt it signed itself.
		fc.integer({ min: 1, max: RESULT_BYTES_MAX }).map((size) => (env: Env, xff: string) => {
			const stranger = new NodeSigner();
			const junk = new Uint8Array(randomBytes(size));
			const leaseId = `lease-${randomBytes(8).toString('hex')}`;
			const receipt = stranger.receipt({ v: 1, taskId: `${lease.jobId}:9`, leaseId, kernel: lease.kernel, kernelVersion: lease.kernelVersion, sha256: sha(junk) });
			return upload(env, xff, 'stranger upload', { bytes: junk, receipt: encodeReceiptHeader(receipt), leaseId, by: stranger, salt: randomBytes(16).toString('hex') });
		})
	];
	if (badReceipt) variants.push(badReceipt.map((r) => (env: Env, xff: string) => (overTheWire(r) !== undefined && v.is(ReceiptSchema, overTheWire(r)) ? { kind: 'discard', route: t.name, mutation: 'receipt schema' } : upload(env, xff, 'receipt schema', { receipt: Buffer.from(JSON.stringify(r) ?? '').toString('base64url') }))));
	return fc.tuple(fc.oneof(...variants), address).map(([make, xff]): Plan => (env) => make(env, xff));
}

function templateCases(t: Template): fc.Arbitrary<Plan> {
	const arbs: { arbitrary: fc.Arbitrary<Plan>; weight: number }[] = [];
	const add = (arbitrary: fc.Arbitrary<Plan> | null, weight: number) => arbitrary && arbs.push({ arbitrary, weight });
	if (t.method === 'GET') {
		add(address.map((xff): Plan => (env) => http(t, 'valid read', false, request(t, env, xff, {}))), 2);
		add(queryCases(t), 1);
	}
	add(bodyCases(t), 5);
	add(transportCases(t), 2);
	add(signatureCases(t), 2);
	add(pathCases(t), 2);
	add(revealCases(t), 8);
	return fc.oneof(...arbs);
}

function replayCases(s: Scenario): fc.Arbitrary<Plan> | null {
	if (s.sent.length === 0) return null;
	return fc.constantFrom(...s.sent).map((r): Plan => () => ({ kind: 'http', route: `POST ${r.path}`, mutation: 'replayed request', mustRefuse: true, req: { method: 'POST', path: `${API_PREFIX}${r.path}`, headers: r.headers, body: r.body } }));
}

/** GET-only paths (no POST route shares their shape), for methods they do not take. */
const GET_ONLY = ['/info', '/health', '/accounts/:key', '/jobs/:id/activity', '/jobs/:id/evidence', '/disputes/:id'];

function routeCases(s: Scenario): fc.Arbitrary<Plan> {
	const gets = s.templates.filter((t) => GET_ONLY.includes(t.path));
	const other = fc.tuple(fc.constantFrom('POST', 'PUT', 'DELETE', 'PATCH'), fc.constantFrom(...gets), address).map(([method, t, xff]): Plan => () => ({
		kind: 'http',
		route: `${method} ${t.path}`,
		mutation: 'method not served',
		mustRefuse: true,
		req: { method, path: fillPath(t, encodedParams(t)), headers: { 'content-type': 'application/json', 'x-forwarded-for': xff }, body: utf8('{}') }
	}));
	const unknown = fc.tuple(fc.constantFrom('GET', 'POST'), fc.array(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.%~'), minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 5 }), address).map(
		([method, segments, xff]): Plan => () => ({ kind: 'http', route: `${method} unknown`, mutation: 'no such route', mustRefuse: true, req: { method, path: `${API_PREFIX}/fuzz/${segments.join('/')}`, headers: { 'x-forwarded-for': xff }, ...(method === 'POST' ? { body: utf8('{}') } : {}) } })
	);
	const options = fc.constantFrom(...gets).map((t): Plan => () => ({ kind: 'http', route: `OPTIONS ${t.path}`, mutation: 'options', mustRefuse: false, req: { method: 'OPTIONS', path: fillPath(t, encodedParams(t)), headers: {} } }));
	return fc.oneof(other, unknown, options);
}

function sseCases(s: Scenario): fc.Arbitrary<Plan> {
	const job = s.templates.find((t) => t.path === '/jobs/:id')?.params.id ?? 'none';
	return fc.tuple(fc.oneof(fc.constant(encodeURIComponent(job)), fc.constantFrom(...BAD_PARAMS), hex(1, 40)), fc.integer({ min: 0, max: 50 })).map(
		([id, holdMs]): Plan => () => ({ kind: 'sse', route: 'GET /jobs/:id/events', mutation: id === encodeURIComponent(job) ? 'valid stream' : 'stream id', path: `${API_PREFIX}/jobs/${id}/events`, holdMs })
	);
}

const PEERJS_TYPES = ['OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE', 'EXPIRE', 'HEARTBEAT', 'OPEN', 'ID-TAKEN', 'ERROR', 'x', ''];

/** PeerJS signalling: upgrades with good and bad parameters, then frames a client could send, and some no client should. */
function wsCases(): fc.Arbitrary<Plan> {
	const id = fc.oneof(hex(8, 32), fc.constantFrom('', 'a'.repeat(5_000), '%00', '%E0%A4%A', '..%2F..', 'id with spaces'));
	const query = fc.tuple(id, fc.oneof(hex(1, 32), fc.constant('')), fc.constantFrom('peerjs', 'other', '')).map(([i, token, key]) => `key=${key}&id=${i}&token=${token}&version=1.5.5`);
	const message = fc.record({ type: fc.constantFrom(...PEERJS_TYPES), dst: fc.oneof(hex(8, 32), fc.constant(null)), payload: fc.oneof(fc.constant(null), fc.string({ maxLength: 100 }), fc.integer({ min: 0, max: 262_144 }).map((n) => ({ sdp: 'v'.repeat(n) }))) });
	const frame = fc.oneof(
		message.map((m) => wsFrame(1, utf8(JSON.stringify(m)))),
		fc.string({ maxLength: 200 }).map((s) => wsFrame(1, utf8(s))),
		fc.uint8Array({ maxLength: 512 }).map((b) => wsFrame(2, b)),
		fc.uint8Array({ maxLength: 125 }).map((b) => wsFrame(9, b)),
		fc.constant(wsFrame(8, new Uint8Array([0x03, 0xe8]))),
		fc.uint8Array({ maxLength: 64 }).map((b) => wsFrame(1, b, { unmasked: true })),
		fc.uint8Array({ maxLength: 64 }).map((b) => wsFrame(1, b, { claimedLength: 2 ** 31 })),
		fc.uint8Array({ maxLength: 64 }).map((b) => wsFrame(0, b, { fin: false })),
		fc.uint8Array({ minLength: 1, maxLength: 64 })
	);
	return fc.tuple(query, fc.array(frame, { maxLength: 6 }), fc.integer({ min: 0, max: 50 })).map(([q, frames, holdMs]): Plan => (env) => ({ kind: 'raw', route: 'WS /peerjs/peerjs', mutation: 'signalling', bytes: wsUpgrade(env.url, q), after: frames, holdMs }));
}

/** HTTP that no client library sends: broken request lines, header floods, lying lengths, bad chunking. */
function rawHttpCases(): fc.Arbitrary<Plan> {
	const lines = fc.constantFrom(
		'GET /api/v1/info HTTP/1.1\r\nHost: x\r\n\r\n',
		'FOO /api/v1/info HTTP/1.1\r\nHost: x\r\n\r\n',
		'GET /api/v1/info HTTP/9.9\r\nHost: x\r\n\r\n',
		'GET /api/v1/info\r\n\r\n',
		'GET /api/v1/jobs/%00 HTTP/1.1\r\nHost: x\r\n\r\n',
		'GET /api/v1/\x00info HTTP/1.1\r\nHost: x\r\n\r\n',
		'POST /api/v1/grants/demo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a"',
		'POST /api/v1/grants/demo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
		'POST /api/v1/jobs/estimate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffff\r\n{}\r\n0\r\n\r\n',
		'POST /api/v1/jobs/estimate HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
		'GET /api/v1/info HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
		'GET /api/v1/info HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n'
	);
	const flood = fc.integer({ min: 10_000, max: 40_000 }).map((n) => `GET /api/v1/info HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(n)}\r\n\r\n`);
	const peerHttp = fc.constantFrom('/peerjs', '/peerjs/peerjs/id', '/peerjs/peerjs/peers', '/peerjs/%E0%A4%A/id', '/peerjs/x/y/z', '/peerjs/peerjs?key=%00').map((p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`);
	return fc.tuple(fc.oneof(lines, flood, peerHttp), fc.integer({ min: 0, max: 50 })).map(([text, holdMs]): Plan => () => ({ kind: 'raw', route: 'raw http', mutation: text.slice(0, 30), bytes: new Uint8Array(Buffer.from(text, 'latin1')), after: [], holdMs }));
}

/** Every case the soak draws from, weighted so each route and each kind of break gets its share. */
export function caseArbitrary(s: Scenario): fc.Arbitrary<Plan> {
	const arbs: { arbitrary: fc.Arbitrary<Plan>; weight: number }[] = s.templates.map((t) => ({ arbitrary: templateCases(t), weight: t.reveal ? 4 : 2 }));
	const replay = replayCases(s);
	if (replay) arbs.push({ arbitrary: replay, weight: 1 });
	arbs.push({ arbitrary: routeCases(s), weight: 2 }, { arbitrary: sseCases(s), weight: 3 }, { arbitrary: wsCases(), weight: 6 }, { arbitrary: rawHttpCases(), weight: 2 });
	return fc.oneof(...arbs);
}
