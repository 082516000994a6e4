import * as v from 'valibot';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AUTH_HEADERS, RECEIPT_HEADER } from '../../src/lib/protocol/auth.js';
import { ErrorBodySchema } from '../../src/lib/protocol/errors.js';
import type { Lease } from '../../src/lib/protocol/leases.js';
import { API_PREFIX } from '../../src/lib/protocol/version.js';
import { computeTileCpu } from '../../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../../src/lib/kernels/mandelbrot/meta.js';
import { encodeReceiptHeader } from '../../src/lib/verify/receipt.js';
import type { Relay } from '../server.js';
import { ApiClient, type ApiResponse } from '../testing/api-client.js';
import { dbSnapshot } from '../testing/db-snapshot.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';

const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 64, height: 64, maxIter: 100, tile: 64 };
// Long enough that the tests before "results after the lease expired" never outlast it on a busy machine.
const LEASE_MS = 3_000;

let relay: Relay;
let requester: ApiClient;
let worker: ApiClient;
let lease: Lease;
let before: Record<string, number>;

beforeAll(async () => {
	relay = await startTestRelay({ leaseMs: LEASE_MS });
	requester = new ApiClient(relay.url, new NodeSigner());
	worker = new ApiClient(relay.url, new NodeSigner());
	await requester.post('/grants/demo', {});
	const job = await requester.post<{ id: string }>('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: 10_000_000, clientRef: 'bad-input-job' });
	expect(job.status).toBe(201);
	const claimed = await worker.post<{ leases: Lease[] }>('/leases', { maxTasks: 1, kernels: ['mandelbrot'], backend: 'cpu' });
	lease = claimed.body.leases[0] as Lease;
	// Committed up front: each test below snapshots the database and expects it untouched.
	expect((await worker.commit(lease, computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params)))).ok).toBe(true);
});
afterAll(async () => {
	await relay?.close();
});
beforeEach(async () => {
	before = await dbSnapshot(relay.ctx.db);
});

/** Every refusal is a 4xx JSON error with a stable code, and the database is untouched. */
async function expectRefused(res: ApiResponse, status: number, code: string): Promise<void> {
	expect(res.status, JSON.stringify(res.body)).toBe(status);
	const parsed = v.parse(ErrorBodySchema, res.body);
	expect(parsed.error.code).toBe(code);
	expect(parsed.error.message.length).toBeGreaterThan(10);
	expect(await dbSnapshot(relay.ctx.db)).toEqual(before);
	// And the relay keeps serving.
	expect((await requester.get('/info')).status).toBe(200);
}

/** A claim whose commitment is refused still answers 200, with the commitment's own error, and changes nothing. */
async function expectCommitRefused(client: ApiClient, commitment: string, code: string): Promise<void> {
	const res = await client.claim({ maxTasks: 0, kernels: ['mandelbrot'], commitments: [{ leaseId: lease.leaseId, commitment }] });
	expect(res.status, JSON.stringify(res.body)).toBe(200);
	const [outcome] = res.body.commitments;
	expect(outcome?.ok).toBe(false);
	if (outcome?.ok === false) {
		expect(outcome.error.code).toBe(code);
		expect(outcome.error.message.length).toBeGreaterThan(10);
	}
	expect(await dbSnapshot(relay.ctx.db)).toEqual(before);
}

const job = (spec: unknown, budgetMicro = 10_000_000, kernel = 'mandelbrot') =>
	requester.post('/jobs', { kernel, spec, budgetMicro, clientRef: `r${Math.random().toString(36).slice(2, 12)}` });

describe('bad input is refused with a clear 4xx and changes nothing', () => {
	it('malformed JSON and wrong shapes', async () => {
		await expectRefused(await requester.send('/jobs', new TextEncoder().encode('{"kernel":'), { 'content-type': 'application/json' }), 400, 'bad_request');
		await expectRefused(await requester.post('/jobs', { kernel: 'mandelbrot' }), 400, 'bad_request');
		await expectRefused(await requester.post('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: -5, clientRef: 'abcdefgh' }), 400, 'bad_request');
		await expectRefused(await requester.post('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: 1.5, clientRef: 'abcdefgh' }), 400, 'bad_request');
	});

	it('oversized bodies', async () => {
		await expectRefused(await requester.post('/jobs', { kernel: 'mandelbrot', spec: { pad: 'x'.repeat(40_000) }, budgetMicro: 1, clientRef: 'abcdefgh' }), 413, 'payload_too_large');
	});

	it('impossible or malformed specs', async () => {
		await expectRefused(await job({ ...SPEC, width: 7680, height: 4320 }), 400, 'invalid_spec');
		await expectRefused(await job({ ...SPEC, width: 3840, height: 3840 }), 400, 'invalid_spec');
		await expectRefused(await job({ ...SPEC, width: 0 }), 400, 'invalid_spec');
		await expectRefused(await job({ ...SPEC, maxIter: 10_000_000 }), 400, 'invalid_spec');
		await expectRefused(await job({ ...SPEC, centerRe: 'NaN' }), 400, 'invalid_spec');
		await expectRefused(await job({ ...SPEC, zoom: '0' }), 400, 'invalid_spec');
		await expectRefused(await job({ ...SPEC, extra: true }), 400, 'invalid_spec');
		await expectRefused(await job('not an object'), 400, 'invalid_spec');
	});

	it('an invalid spec is refused in words: each bad field named with what it allows, and no other field blamed', async () => {
		const cases: [Record<string, unknown>, { path: string | null; message: string }[]][] = [
			[{ width: -640 }, [{ path: 'width', message: 'Width must be a whole number from 16 to 3840' }]],
			[{ width: 640.5 }, [{ path: 'width', message: 'Width must be a whole number from 16 to 3840' }]],
			[{ width: 0 }, [{ path: 'width', message: 'Width must be a whole number from 16 to 3840' }]],
			[{ maxIter: null }, [{ path: 'maxIter', message: 'Max iterations must be a whole number from 16 to 50,000' }]],
			[{ zoom: '0' }, [{ path: 'zoom', message: 'Zoom must be a positive number such as 180 or 1e12' }]],
			[{ zoom: 'deep' }, [{ path: 'zoom', message: 'Zoom must be a positive number such as 180 or 1e12' }]],
			[
				{ zoom: '1e31' },
				[{ path: 'zoom', message: 'Zoom can be at most about 9.5e29 at 64 px wide: deeper views need more precision than the renderer has' }]
			],
			[
				{ width: -640, maxIter: 'lots' },
				[
					{ path: 'width', message: 'Width must be a whole number from 16 to 3840' },
					{ path: 'maxIter', message: 'Max iterations must be a whole number from 16 to 50,000' }
				]
			]
		];
		for (const [bad, details] of cases) {
			const res = await job({ ...SPEC, ...bad });
			await expectRefused(res, 400, 'invalid_spec');
			const { error } = v.parse(ErrorBodySchema, res.body);
			expect(error.details, JSON.stringify(bad)).toEqual(details);
			expect(error.message).toBe(details.map((d) => d.message).join('; '));
			// The unsigned estimate refuses the same spec with the same words.
			const estimate = await requester.post('/jobs/estimate', { kernel: 'mandelbrot', spec: { ...SPEC, ...bad } });
			expect(estimate.status).toBe(400);
			expect(v.parse(ErrorBodySchema, estimate.body).error.details).toEqual(details);
		}
	});

	it('unknown kernels', async () => {
		await expectRefused(await job(SPEC, 10_000_000, 'bitcoin-miner'), 404, 'unknown_kernel');
	});

	it('budgets that do not cover the estimate, and budgets the balance cannot pay', async () => {
		await expectRefused(await job(SPEC, 1), 402, 'budget_too_low');
		const poor = new ApiClient(relay.url, new NodeSigner());
		await expectRefused(await poor.post('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: 10_000_000, clientRef: 'poor-job-1' }), 402, 'insufficient_funds');
	});

	it('results for a lease the key does not hold', async () => {
		const stranger = new ApiClient(relay.url, new NodeSigner());
		const bytes = computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params));
		await expectRefused(await stranger.reveal(lease, bytes), 409, 'lease_not_held');
		await expectRefused(await worker.reveal({ ...lease, leaseId: 'no-such-lease' }, bytes), 409, 'lease_not_held');
	});

	it('results whose receipt does not match the bytes, task or size', async () => {
		const bytes = computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params));
		await expectRefused(await worker.reveal(lease, bytes, { sha256: '0'.repeat(64) }), 400, 'receipt_mismatch');
		await expectRefused(await worker.reveal(lease, bytes, { taskId: 'other:0' }), 400, 'receipt_mismatch');
		await expectRefused(await worker.reveal(lease, bytes.subarray(0, 100)), 400, 'bad_request');
		const noReceipt = await worker.send(`/results/${lease.leaseId}`, bytes, { 'content-type': 'application/octet-stream' });
		await expectRefused(noReceipt, 400, 'receipt_mismatch');
		const forged = new NodeSigner().receipt({ v: 1, taskId: lease.taskId, leaseId: lease.leaseId, kernel: 'mandelbrot', kernelVersion: 1, sha256: '0'.repeat(64) });
		const res = await worker.send(`/results/${lease.leaseId}`, bytes, { 'content-type': 'application/octet-stream', [RECEIPT_HEADER]: encodeReceiptHeader(forged) });
		await expectRefused(res, 400, 'receipt_mismatch');
	});

	it('oversized results', async () => {
		await expectRefused(await worker.reveal(lease, new Uint8Array(256 * 256 * 4 + 1)), 413, 'payload_too_large');
	});

	it('reveals that do not match the commitment, come too early, or change the commitment', async () => {
		const bytes = computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params));
		const other = bytes.slice();
		other[0] = (other[0] ?? 0) ^ 1;
		await expectRefused(await worker.reveal(lease, other), 400, 'commitment_mismatch');
		await expectRefused(await worker.reveal(lease, bytes, {}, { salt: 'f'.repeat(32) }), 400, 'commitment_mismatch');
		await expectRefused(await worker.reveal(lease, bytes, {}, { salt: 'not-hex' }), 400, 'commitment_mismatch');
		await expectRefused(await worker.reveal(lease, bytes, {}, { merkleRoot: 'a'.repeat(64) }), 400, 'commitment_mismatch');
		// A new key's task is replicated: nobody may reveal before the second replica commits.
		await expectRefused(await worker.reveal(lease, bytes), 425, 'reveal_not_open');
		await expectCommitRefused(worker, 'b'.repeat(64), 'conflict');
		const malformed = { maxTasks: 0, kernels: ['mandelbrot'], backend: 'cpu', commitments: [{ leaseId: lease.leaseId, commitment: 'nope' }] };
		await expectRefused(await worker.post('/leases', malformed), 400, 'bad_request');
		const tooMany = { ...malformed, commitments: Array.from({ length: 33 }, () => ({ leaseId: lease.leaseId, commitment: 'b'.repeat(64) })) };
		await expectRefused(await worker.post('/leases', tooMany), 400, 'bad_request');
		await expectCommitRefused(new ApiClient(relay.url, new NodeSigner()), 'b'.repeat(64), 'lease_not_held');
	});

	it('results after the lease expired', async () => {
		const bytes = computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params));
		await new Promise((r) => setTimeout(r, LEASE_MS + 200));
		await expectRefused(await worker.reveal(lease, bytes), 410, 'lease_expired');
		// The next claim answers the lapsed commitment and settles it as lapsed: nobody else had
		// committed, so the key withheld nothing, keeps its standing and may take the task again.
		const res = await worker.claim({ maxTasks: 0, kernels: ['mandelbrot'], commitments: [worker.commitmentFor(lease, bytes)] });
		expect(res.status).toBe(200);
		expect(res.body.commitments).toEqual([{ leaseId: lease.leaseId, ok: false, error: { code: 'lease_expired', message: expect.any(String) } }]);
		expect(res.body.reveal).toEqual([]);
		expect(await relay.ctx.db.query('SELECT state FROM leases WHERE id = $1', [lease.leaseId])).toEqual([{ state: 'lapsed' }]);
		expect(await relay.ctx.db.query('SELECT kind FROM trust_events WHERE key = $1', [worker.key])).toEqual([]);
	});
});

describe('signatures', () => {
	const path = API_PREFIX + '/grants/demo';
	const body = new TextEncoder().encode('{}');
	const post = (headers: Record<string, string>, payload = body) =>
		fetch(relay.url + path, { method: 'POST', body: payload, headers: { 'content-type': 'application/json', ...headers } }).then(async (r) => ({
			status: r.status,
			body: (await r.json()) as unknown
		}));

	it('refuses unsigned writes, tampered bodies, wrong keys, stale and replayed requests', async () => {
		const signer = new NodeSigner();
		await expectRefused(await post({}), 401, 'unauthenticated');
		await expectRefused(await post(signer.headers(relay.url, 'POST', path, body), new TextEncoder().encode('{ }')), 401, 'bad_signature');
		const other = new NodeSigner();
		await expectRefused(await post({ ...signer.headers(relay.url, 'POST', path, body), [AUTH_HEADERS.key]: other.publicKeyHex }), 401, 'bad_signature');
		await expectRefused(await post(signer.headers(relay.url, 'POST', path, body, Date.now() - 10 * 60_000)), 401, 'stale_signature');
		await expectRefused(await post(signer.headers('http://evil.example:8787', 'POST', path, body)), 401, 'bad_signature');
		const once = signer.headers(relay.url, 'POST', path, body);
		expect((await post(once)).status).toBe(201);
		before = await dbSnapshot(relay.ctx.db);
		await expectRefused(await post(once), 401, 'replayed_nonce');
	});

	it('refuses a second demo grant for the same key', async () => {
		await expectRefused(await requester.post('/grants/demo', {}), 409, 'grant_used');
	});
});
