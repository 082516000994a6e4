// `npx tsx scripts/make-signature-vectors.ts` writes test/samples/signature-vectors.json:
// requests and receipts signed by the browser code (noble) from fixed secret keys, with their
// canonical bytes, plus tampered copies that must not verify. The relay's node:crypto verifier
// and the browser both replay this file, so any drift between the two shows up as a failure.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ed from '@noble/ed25519';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { UnsignedReceipt } from '../src/lib/protocol/auth.js';
import { canonicalReceiptText, canonicalRequestText } from '../src/lib/verify/canonical.js';
import { encodeReceiptHeader, signReceipt } from '../src/lib/verify/receipt.js';
import { signRequest } from '../src/lib/verify/request-signature.js';
import { sha256Hex } from '../src/lib/verify/sha256.js';

interface VectorKey {
	name: string;
	secretKeyHex: string;
	publicKeyHex: string;
}

interface RequestCase {
	name: string;
	origin: string;
	method: string;
	path: string;
	bodyHex: string;
	timestamp: number;
	nonce: string;
}

const KEY_SEEDS: { name: string; secretKeyHex: string }[] = [
	// RFC 8032 §7.1 TEST 1, so the key derivation itself is checked against the standard.
	{ name: 'rfc8032-test-1', secretKeyHex: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60' },
	{ name: 'alice', secretKeyHex: sha256Hex(utf8ToBytes('mycelia signature vector key alice')) },
	{ name: 'bob', secretKeyHex: sha256Hex(utf8ToBytes('mycelia signature vector key bob')) }
];

const json = (value: unknown) => bytesToHex(utf8ToBytes(JSON.stringify(value)));
const binaryBody = bytesToHex(Uint8Array.from({ length: 300 }, (_, i) => (i * 151 + 7) & 0xff));

const REQUESTS: (Omit<RequestCase, 'timestamp' | 'nonce'> & { key: string })[] = [
	{ name: 'create-job', key: 'alice', origin: 'http://127.0.0.1:8787', method: 'POST', path: '/api/v1/jobs', bodyHex: json({ kernel: 'mandelbrot', budgetMicro: 5_000_000 }) },
	{ name: 'empty-body-delete', key: 'alice', origin: 'http://127.0.0.1:8787', method: 'DELETE', path: '/api/v1/jobs/j_01', bodyHex: '' },
	{ name: 'query-string', key: 'bob', origin: 'https://mycelia.example.org', method: 'POST', path: '/api/v1/leases/claim?max=4&kernel=mandelbrot', bodyHex: json({ max: 4 }) },
	{ name: 'binary-result-upload', key: 'bob', origin: 'http://localhost:5173', method: 'PUT', path: '/api/v1/leases/l_7f3a/result', bodyHex: binaryBody },
	{ name: 'unicode-json-body', key: 'rfc8032-test-1', origin: 'http://[::1]:8787', method: 'PATCH', path: '/api/v1/accounts/me?name=%C3%A9', bodyHex: json({ name: 'Émilie 🍄' }) },
	{ name: 'percent-encoded-path', key: 'alice', origin: 'http://127.0.0.1:8787', method: 'POST', path: '/api/v1/jobs/a%2Fb/cancel', bodyHex: '' }
];

const RECEIPTS: (Omit<UnsignedReceipt, 'worker'> & { name: string; key: string })[] = [
	{ name: 'mandelbrot-tile', key: 'bob', v: 1, taskId: 't_0001', leaseId: 'l_0001', kernel: 'mandelbrot', kernelVersion: 1, sha256: sha256Hex(hexToBytes(binaryBody)) },
	{ name: 'empty-result', key: 'alice', v: 1, taskId: 'job-42/task-7', leaseId: 'lease:9', kernel: 'matmul-f32', kernelVersion: 3, sha256: sha256Hex(new Uint8Array(0)) }
];

function flipBit(hex: string, bit: number): string {
	const bytes = hexToBytes(hex);
	bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) ^ (1 << (bit & 7));
	return bytesToHex(bytes);
}

export async function buildSignatureVectors() {
	const keys: VectorKey[] = [];
	for (const k of KEY_SEEDS) keys.push({ ...k, publicKeyHex: bytesToHex(await ed.getPublicKeyAsync(hexToBytes(k.secretKeyHex))) });
	const keyNamed = (name: string): VectorKey => {
		const k = keys.find((x) => x.name === name);
		if (!k) throw new Error(`no vector key ${name}`);
		return k;
	};

	const requests = [];
	for (const [i, r] of REQUESTS.entries()) {
		const key = keyNamed(r.key);
		const timestamp = 1_767_225_600_000 + i * 1_000; // 2026-01-01T00:00:00Z onwards
		const nonce = sha256Hex(utf8ToBytes(`nonce ${r.name}`)).slice(0, 32);
		const { key: _k, ...fields } = r;
		const c: RequestCase = { ...fields, timestamp, nonce };
		const headers = await signRequest({ secretKey: hexToBytes(key.secretKeyHex), publicKeyHex: key.publicKeyHex, origin: c.origin, method: c.method, path: c.path, body: hexToBytes(c.bodyHex), now: timestamp, nonce });
		const canonicalText = canonicalRequestText({ ...c, bodySha256: sha256Hex(hexToBytes(c.bodyHex)) });
		requests.push({ ...c, keyName: key.name, bodySha256: sha256Hex(hexToBytes(c.bodyHex)), canonicalText, canonicalHex: bytesToHex(utf8ToBytes(canonicalText)), headers });
	}

	// Each negative is a positive vector's signed headers presented with one thing changed.
	type SignedCase = (typeof requests)[number];
	const negative = (name: string, reason: string, base: SignedCase, change: Partial<SignedCase>) => {
		const { name: from, origin, method, path, bodyHex, keyName, headers } = base;
		return { name, reason, from, origin, method, path, bodyHex, keyName, headers, ...change };
	};
	const [first, , query, binary] = requests;
	if (!first || !query || !binary) throw new Error('vector list too short');
	const h = first.headers;
	const negativeRequests = [
		negative('tampered-body', 'first body byte changed after signing', first, { bodyHex: `7a${first.bodyHex.slice(2)}` }),
		negative('tampered-binary-body', 'last body bit flipped after signing', binary, { bodyHex: flipBit(binary.bodyHex, 300 * 8 - 1) }),
		negative('wrong-key', 'signature presented under another key', first, { headers: { ...h, 'x-mycelia-key': keyNamed('bob').publicKeyHex } }),
		negative('flipped-signature-bit', 'one bit of the signature flipped', first, { headers: { ...h, 'x-mycelia-signature': flipBit(h['x-mycelia-signature'], 9) } }),
		negative('wrong-origin', 'sent to another relay than the one signed for', first, { origin: 'http://127.0.0.1:8788' }),
		negative('wrong-method', 'method changed after signing', first, { method: 'PUT' }),
		negative('wrong-query', 'query string changed after signing', query, { path: '/api/v1/leases/claim?max=16&kernel=mandelbrot' }),
		negative('wrong-timestamp', 'timestamp header moved 1 ms after signing', first, { headers: { ...h, 'x-mycelia-timestamp': String(first.timestamp + 1) } }),
		negative('wrong-nonce', 'nonce header changed after signing', first, { headers: { ...h, 'x-mycelia-nonce': flipBit(first.nonce, 0) } })
	];

	const receipts = [];
	for (const r of RECEIPTS) {
		const key = keyNamed(r.key);
		const { name, key: _k, ...fields } = r;
		const unsigned: UnsignedReceipt = { ...fields, worker: key.publicKeyHex };
		const receipt = await signReceipt(unsigned, hexToBytes(key.secretKeyHex));
		const canonicalText = canonicalReceiptText(unsigned);
		receipts.push({ name, keyName: key.name, receipt, canonicalText, canonicalHex: bytesToHex(utf8ToBytes(canonicalText)), header: encodeReceiptHeader(receipt) });
	}
	const r0 = receipts[0];
	if (!r0) throw new Error('no receipts');
	const negativeReceipts = [
		{ name: 'tampered-hash', reason: 'result hash changed after signing', receipt: { ...r0.receipt, sha256: flipBit(r0.receipt.sha256, 0) } },
		{ name: 'tampered-lease', reason: 'lease id changed after signing', receipt: { ...r0.receipt, leaseId: 'l_0002' } },
		{ name: 'tampered-kernel-version', reason: 'kernel version changed after signing', receipt: { ...r0.receipt, kernelVersion: 2 } },
		{ name: 'wrong-worker', reason: 'signature claimed by another worker', receipt: { ...r0.receipt, worker: keyNamed('alice').publicKeyHex } },
		{ name: 'flipped-signature-bit', reason: 'one bit of the signature flipped', receipt: { ...r0.receipt, signature: flipBit(r0.receipt.signature, 300) } }
	];

	return {
		about: 'Generated by scripts/make-signature-vectors.ts; do not edit by hand. Encodings: src/lib/verify/canonical.ts.',
		keys,
		requests,
		negativeRequests,
		receipts,
		negativeReceipts
	};
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const out = fileURLToPath(new URL('../test/samples/signature-vectors.json', import.meta.url));
	writeFileSync(out, JSON.stringify(await buildSignatureVectors(), null, '\t') + '\n');
	console.log(`wrote ${out}`);
}
