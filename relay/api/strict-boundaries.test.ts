// Findings 8 and 10 of issue 14 against the real relay (PGlite, or Postgres with
// TEST_DATABASE_URL): inputs that used to reach a handler or the database and come back as a 500
// (malformed percent-encoding, Content-Encoding, NUL bytes in ids and text, an empty receipt),
// and bodies the schemas used to let through (arrays for objects, unknown fields). Each is a 4xx
// JSON error in words, or a no-op, and writes no row in any table.
import { gzipSync, deflateSync } from 'node:zlib';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECEIPT_HEADER } from '../../src/lib/protocol/auth.js';
import { ErrorBodySchema } from '../../src/lib/protocol/errors.js';
import type { Lease } from '../../src/lib/protocol/leases.js';
import type { TrainSession } from '../../src/lib/protocol/training.js';
import { API_PREFIX } from '../../src/lib/protocol/version.js';
import { REVEAL_HEADERS } from '../../src/lib/protocol/verification.js';
import { encodeReceiptHeader } from '../../src/lib/verify/receipt.js';
import type { Relay } from '../server.js';
import { ApiClient, type ApiResponse } from '../testing/api-client.js';
import { NodeSigner } from '../testing/node-signer.js';
import { tableCounts } from '../testing/table-counts.js';
import { startTestRelay } from '../testing/test-relay.js';

const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 64, height: 64, maxIter: 100, tile: 64 };
const DEVICE = { id: 'device-strict-1', label: 'laptop', cores: 4, memoryGb: 8, gpu: null, score: 1000 };

let relay: Relay;
let operator: ApiClient;
let host: ApiClient;
let worker: ApiClient;
let jobId: string;
let lease: Lease;
let session: TrainSession;

/** Sends exactly these bytes to exactly this path (no normalising), signed when the client has a key. */
async function raw(client: ApiClient, method: 'GET' | 'POST', path: string, body: Uint8Array = new Uint8Array(0), headers: Record<string, string> = {}): Promise<ApiResponse> {
	const full = API_PREFIX + path;
	const signed = method === 'POST' && client.signer ? client.signer.headers(relay.url, method, full, body) : {};
	const res = await fetch(relay.url + full, { method, headers: { 'content-type': 'application/json', ...headers, ...signed }, ...(method === 'POST' ? { body: new Uint8Array(body) } : {}) });
	const text = await res.text();
	let parsed: unknown = text;
	try {
		parsed = JSON.parse(text);
	} catch {
		// Left as text: expectRefused fails on it with the text shown.
	}
	return { status: res.status, body: parsed };
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** A 4xx with a stable code and a sentence, and not one row written anywhere. */
async function expectRefused(send: () => Promise<ApiResponse>, status: number, code?: string): Promise<void> {
	const before = await tableCounts(relay.ctx.db);
	const res = await send();
	expect(res.status, JSON.stringify(res.body)).toBe(status);
	const { error } = v.parse(ErrorBodySchema, res.body);
	if (code) expect(error.code).toBe(code);
	expect(error.message.length).toBeGreaterThan(10);
	expect(await tableCounts(relay.ctx.db)).toEqual(before);
}

beforeAll(async () => {
	const operatorSigner = new NodeSigner();
	relay = await startTestRelay({ operatorKey: operatorSigner.publicKeyHex });
	operator = new ApiClient(relay.url, operatorSigner);
	host = new ApiClient(relay.url, new NodeSigner());
	worker = new ApiClient(relay.url, new NodeSigner());
	expect((await host.post('/grants/demo', {})).status).toBe(201);
	const job = await host.post<{ id: string }>('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: 10_000_000, clientRef: 'strict-job-1' });
	expect(job.status).toBe(201);
	jobId = job.body.id;
	const claimed = await worker.claim({ maxTasks: 1, kernels: ['mandelbrot'], device: DEVICE });
	lease = claimed.body.leases[0] as Lease;
	expect(lease).toBeDefined();
	const made = await host.post<TrainSession>('/train-sessions', { hostPeerId: 'strict-host-1', title: 'funded', mode: 'funded', budgetMicro: 1_000_000, pricePerKTokenMicro: 10 });
	expect(made.status).toBe(201);
	session = made.body;
	expect((await worker.post('/mesh/mailboxes/strict-box-1', {})).status).toBe(200);
});
afterAll(async () => {
	await relay?.close();
});

describe('finding 8: inputs that were 500s are 4xx refusals', () => {
	it('malformed percent-encoding in any path parameter, read or signed write', async () => {
		for (const path of ['/accounts/%E0%A4%A', '/accounts/%E0%A4%A/trust', '/jobs/%ZZ', '/jobs/%E0%A4%A/events', '/jobs/j%/tasks/0/result', '/disputes/%C0', '/train-sessions/%FF']) {
			await expectRefused(() => raw(worker, 'GET', path), 400, 'bad_request');
		}
		for (const path of ['/jobs/%E0%A4%A/cancel', '/leases/%E0/heartbeat', '/mesh/mailboxes/%E0%A4%A', '/train-sessions/%/receipts', '/disputes/%FF/answer']) {
			await expectRefused(() => raw(worker, 'POST', path, json({})), 400, 'bad_request');
		}
		await expectRefused(() => raw(worker, 'POST', '/results/%E0%A4%A', new Uint8Array(16), { 'content-type': 'application/octet-stream' }), 400, 'bad_request');
	});

	it('a Content-Encoding other than identity, valid or corrupt, is refused with 415 before anything is read', async () => {
		const body = json({});
		for (const [encoding, bytes] of [
			['gzip', gzipSync(body)],
			['gzip', body],
			['deflate', deflateSync(body)],
			['br', body],
			['x-unknown', body]
		] as const) {
			await expectRefused(() => raw(new ApiClient(relay.url, new NodeSigner()), 'POST', '/grants/demo', new Uint8Array(bytes), { 'content-encoding': encoding }), 415, 'unsupported_media_type');
		}
		const upload = gzipSync(new Uint8Array(1024));
		await expectRefused(() => raw(worker, 'POST', `/results/${lease.leaseId}`, new Uint8Array(upload), { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' }), 415, 'unsupported_media_type');
		// identity is what no header means, and still works.
		const fresh = new ApiClient(relay.url, new NodeSigner());
		expect((await raw(fresh, 'POST', '/grants/demo', body, { 'content-encoding': 'identity' })).status).toBe(201);
	});

	it('a NUL byte in a path id never reaches the database', async () => {
		for (const path of ['/jobs/j%00', '/jobs/j%00/activity', '/jobs/j%00/events', '/jobs/j%00/tasks/0/result', '/disputes/d%00', '/accounts/a%00/entries']) {
			await expectRefused(() => raw(worker, 'GET', path), 400, 'bad_request');
		}
		await expectRefused(() => raw(host, 'POST', '/jobs/j%00/cancel', json({})), 400, 'bad_request');
		await expectRefused(() => raw(worker, 'POST', '/leases/l%00/heartbeat', json({})), 400, 'bad_request');
		await expectRefused(() => raw(host, 'POST', `/train-sessions/s%00`, json({ end: true })), 400, 'bad_request');
		await expectRefused(() => raw(host, 'POST', `/train-sessions/s%00/receipts`, json({ round: 1, accepted: [], rejected: [] })), 400, 'bad_request');
		await expectRefused(() => raw(worker, 'POST', '/disputes/d%00/answer', json({ index: 1, state: '00', proof: [] })), 400, 'bad_request');
		await expectRefused(() => raw(worker, 'POST', '/results/l%00', new Uint8Array(16), { 'content-type': 'application/octet-stream' }), 400, 'bad_request');
	});

	it('a NUL byte (or another control character) in a body id, destination, title, label or note', async () => {
		for (const nul of ['\u0000', '\u0007', '\n', '\ud800']) {
			await expectRefused(() => host.post('/redemptions', { amountMicro: 1_000, destination: `bank${nul}account`, ref: 'strict-redeem-1' }), 400, 'bad_request');
			await expectRefused(() => host.post('/train-sessions', { hostPeerId: 'strict-host-2', title: `class${nul}room`, mode: 'classroom' }), 400, 'bad_request');
			await expectRefused(() => worker.claim({ maxTasks: 1, kernels: ['mandelbrot'], device: { ...DEVICE, label: `lap${nul}top` } }), 400, 'bad_request');
			await expectRefused(() => worker.claim({ maxTasks: 1, kernels: ['mandelbrot'], device: { ...DEVICE, gpu: { vendor: `v${nul}`, architecture: 'a', maxBufferSize: 1, maxStorageBufferBindingSize: 1, maxComputeInvocationsPerWorkgroup: 1, maxComputeWorkgroupsPerDimension: 1 } } }), 400, 'bad_request');
			await expectRefused(() => worker.claim({ maxTasks: 1, kernels: [`mandel${nul}brot`] }), 400, 'bad_request');
			await expectRefused(() => worker.claim({ maxTasks: 0, kernels: ['mandelbrot'], commitments: [{ leaseId: `${lease.leaseId}${nul}`, commitment: 'a'.repeat(64) }] }), 400, 'bad_request');
			await expectRefused(() => host.post('/jobs', { kernel: `mandel${nul}brot`, spec: SPEC, budgetMicro: 10_000_000, clientRef: 'strict-job-2' }), 400, 'bad_request');
			await expectRefused(() => operator.post('/trusted-keys', { key: worker.key, trusted: true, note: `referee${nul}` }), 400, 'bad_request');
		}
	});

	it('a NUL byte in a signed receipt header is a receipt refusal', async () => {
		const receipt = worker.signer!.receipt({ v: 1, taskId: `${lease.taskId}\u0000`, leaseId: lease.leaseId, kernel: 'mandelbrot', kernelVersion: 1, sha256: '0'.repeat(64) });
		const headers = { 'content-type': 'application/octet-stream', [RECEIPT_HEADER]: encodeReceiptHeader(receipt), [REVEAL_HEADERS.salt]: '0'.repeat(32) };
		await expectRefused(() => raw(worker, 'POST', `/results/${lease.leaseId}`, new Uint8Array(lease.resultBytes), headers), 400, 'receipt_mismatch');
	});

	it('an empty receipt on your own funded session is a no-op, not a 500', async () => {
		const before = await tableCounts(relay.ctx.db);
		const res = await host.post<{ paidMicro: number; replayed: boolean; escrowMicro: number }>(`/train-sessions/${session.id}/receipts`, { round: 1, accepted: [], rejected: [] });
		expect(res.status, JSON.stringify(res.body)).toBe(200);
		expect(res.body).toEqual({ paidMicro: 0, replayed: false, rejectionsCounted: 0, escrowMicro: 1_000_000 });
		expect(await tableCounts(relay.ctx.db)).toEqual(before);
	});
});

describe('finding 10: strict schemas', () => {
	it('a JSON array (or any non-object) is never taken for an object body', async () => {
		for (const body of [[], [{}], null, 'x', 7, true]) {
			await expectRefused(() => new ApiClient(relay.url, new NodeSigner()).post('/grants/demo', body), 400, 'bad_request');
			await expectRefused(() => host.post(`/train-sessions/${session.id}`, body), 400, 'bad_request');
			await expectRefused(() => host.post(`/jobs/${jobId}/cancel`, body), 400, 'bad_request');
			await expectRefused(() => worker.post('/mesh/mailboxes/strict-box-2', body), 400, 'bad_request');
		}
		await expectRefused(() => raw(new ApiClient(relay.url, new NodeSigner()), 'POST', '/grants/demo'), 400, 'bad_request');
	});

	it('unknown fields are refused on every request schema, training sessions and mailbox take included', async () => {
		const extra = { surprise: 1 };
		await expectRefused(() => host.post('/train-sessions', { hostPeerId: 'strict-host-3', title: 't', mode: 'classroom', ...extra }), 400, 'bad_request');
		await expectRefused(() => host.post(`/train-sessions/${session.id}`, { end: true, ...extra }), 400, 'bad_request');
		await expectRefused(() => host.post(`/train-sessions/${session.id}/receipts`, { round: 2, accepted: [], rejected: [], ...extra }), 400, 'bad_request');
		await expectRefused(() => host.post(`/train-sessions/${session.id}/receipts`, { round: 2, accepted: [{ worker: worker.key, tokens: 5, ...extra }], rejected: [] }), 400, 'bad_request');
		await expectRefused(() => worker.post('/mesh/mailboxes/strict-box-1/take', { waitMs: 0, ...extra }), 400, 'bad_request');
		await expectRefused(() => worker.post('/mesh/mailboxes/strict-box-3', extra), 400, 'bad_request');
		await expectRefused(() => worker.post('/mesh/mailboxes/strict-box-1/release', extra), 400, 'bad_request');
		await expectRefused(() => new ApiClient(relay.url, new NodeSigner()).post('/grants/demo', extra), 400, 'bad_request');
		await expectRefused(() => worker.claim({ maxTasks: 1, kernels: ['mandelbrot'], ...extra }), 400, 'bad_request');
		await expectRefused(() => host.post('/stakes', { amountMicro: 1, ref: 'strict-stake-1', ...extra }), 400, 'bad_request');
		await expectRefused(() => host.post('/jobs/estimate', { kernel: 'mandelbrot', spec: SPEC, ...extra }), 400, 'bad_request');
		const receipt = { ...worker.signer!.receipt({ v: 1, taskId: lease.taskId, leaseId: lease.leaseId, kernel: 'mandelbrot', kernelVersion: 1, sha256: '0'.repeat(64) }), ...extra };
		const headers = { 'content-type': 'application/octet-stream', [RECEIPT_HEADER]: encodeReceiptHeader(receipt), [REVEAL_HEADERS.salt]: '0'.repeat(32) };
		await expectRefused(() => raw(worker, 'POST', `/results/${lease.leaseId}`, new Uint8Array(lease.resultBytes), headers), 400, 'receipt_mismatch');
	});

	it('a query parameter given twice is refused, not read as one', async () => {
		await expectRefused(() => raw(worker, 'GET', `/jobs?requester=${host.key}&requester=${worker.key}`), 400, 'bad_request');
		await expectRefused(() => raw(worker, 'GET', `/accounts/${host.key}/entries?limit=1&limit=2`), 400, 'bad_request');
		await expectRefused(() => raw(worker, 'GET', `/accounts/${host.key}/contribution?hours=1&hours=2`), 400, 'bad_request');
		expect((await raw(worker, 'GET', `/jobs?requester=${host.key}`)).status).toBe(200);
	});
});
