// Finding 7 of issue 14 against the real relay: a key with no lease posting 256 KiB results with
// self-signed receipts was refused (409 lease_not_held) after the bytes were already on disk, and
// they stayed: 200 uploads left 50 MB. Now only an upload that passes every check is written,
// what a settlement does not record is removed, and a crash's leftovers are swept on open.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeTileCpu } from '../../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../../src/lib/kernels/mandelbrot/meta.js';
import type { Lease } from '../../src/lib/protocol/leases.js';
import { RESULT_BYTES_MAX } from '../../src/lib/protocol/limits.js';
import { API_PREFIX } from '../../src/lib/protocol/version.js';
import type { Relay } from '../server.js';
import { ApiClient, submitReplicas } from '../testing/api-client.js';
import { NodeSigner } from '../testing/node-signer.js';
import { tableCounts } from '../testing/table-counts.js';
import { startTestRelay } from '../testing/test-relay.js';

const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 256, height: 256, maxIter: 64, tile: 256 };
const REFUSED_UPLOADS = 200;

/** Every file under `dir` (recursively); 0 when it does not exist yet. */
function filesUnder(dir: string): string[] {
	try {
		return readdirSync(dir, { withFileTypes: true, recursive: true })
			.filter((e) => e.isFile())
			.map((e) => join(e.parentPath, e.name));
	} catch {
		return [];
	}
}

/** A made-up lease: what an attacker with no lease can name. */
const strangerLease = (): Lease => ({ leaseId: `lease-${randomBytes(8).toString('hex')}`, taskId: `j${randomBytes(6).toString('hex')}:0`, jobId: 'j', kernel: 'mandelbrot', kernelVersion: 1, params: {}, resultBytes: RESULT_BYTES_MAX, expiresAt: 0 });

async function jobWithOneTask(relay: Relay, clientRef: string): Promise<void> {
	const requester = new ApiClient(relay.url, new NodeSigner());
	expect((await requester.post('/grants/demo', {})).status).toBe(201);
	expect((await requester.post('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: 10_000_000, clientRef })).status).toBe(201);
}

async function claimOne(relay: Relay): Promise<[ApiClient, Lease]> {
	const worker = new ApiClient(relay.url, new NodeSigner());
	const res = await worker.claim({ maxTasks: 1, kernels: ['mandelbrot'] });
	expect(res.status).toBe(200);
	const lease = res.body.leases[0];
	if (!lease) throw new Error('no task to lease');
	return [worker, lease];
}

describe('the file store (PGlite with a data folder)', () => {
	let dataDir: string;
	let relay: Relay;
	const blobDir = () => join(dataDir, 'blobs');
	const start = () => startTestRelay({ databaseUrl: null, dataDir });

	beforeAll(async () => {
		dataDir = mkdtempSync(join(tmpdir(), 'mycelia-refused-uploads-'));
		relay = await start();
		await jobWithOneTask(relay, 'refused-uploads-1');
	});
	afterAll(async () => {
		await relay?.close();
		rmSync(dataDir, { recursive: true, force: true });
	});

	it(`${REFUSED_UPLOADS} refused 256 KiB uploads from a key with no lease leave no file and no row`, async () => {
		const attacker = new ApiClient(relay.url, new NodeSigner());
		const before = await tableCounts(relay.ctx.db);
		const statuses = new Map<number, number>();
		for (let i = 0; i < REFUSED_UPLOADS; i += 8) {
			const batch = await Promise.all(Array.from({ length: 8 }, () => attacker.reveal(strangerLease(), new Uint8Array(randomBytes(RESULT_BYTES_MAX)))));
			for (const r of batch) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
		}
		expect(Object.fromEntries(statuses)).toEqual({ 409: REFUSED_UPLOADS });
		expect(filesUnder(blobDir())).toEqual([]);
		expect(await tableCounts(relay.ctx.db)).toEqual(before);
	});

	it("the lease holder's refused reveals (too early, not what it committed to, another key's) write nothing either", async () => {
		const [a, leaseA] = await claimOne(relay);
		const [b, leaseB] = await claimOne(relay);
		expect(leaseB.taskId).toBe(leaseA.taskId);
		const bytes = computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, leaseA.params));
		expect((await a.commit(leaseA, bytes)).ok).toBe(true);
		// Only one replica committed: the reveal is too early.
		expect((await a.reveal(leaseA, bytes)).status).toBe(425);
		const other = bytes.slice();
		other[0] = (other[0] ?? 0) ^ 1;
		expect((await a.reveal(leaseA, other)).status).toBe(400);
		expect((await new ApiClient(relay.url, new NodeSigner()).reveal(leaseA, bytes)).status).toBe(409);
		expect(filesUnder(blobDir())).toEqual([]);

		// Both committed: the two agreeing reveals store the bytes once, and the result is served.
		const [ra, rb] = await submitReplicas<{ verdict: string }>([
			[a, leaseA, bytes],
			[b, leaseB, bytes]
		]);
		expect([ra?.status, rb?.status]).toEqual([200, 200]);
		expect(rb?.body.verdict).toBe('accepted');
		expect(filesUnder(blobDir())).toHaveLength(1);
		const served = await fetch(`${relay.url}${API_PREFIX}/jobs/${leaseA.jobId}/tasks/0/result`);
		expect(new Uint8Array(await served.arrayBuffer())).toEqual(bytes);
		// A retry of an accepted reveal is answered from the books and writes nothing new.
		expect((await a.reveal(leaseA, bytes)).status).toBe(200);
		expect(filesUnder(blobDir())).toHaveLength(1);
	});

	it('opening the store sweeps what a crash left: temporary files and blobs no result references', async () => {
		const [kept] = filesUnder(blobDir());
		expect(kept).toBeDefined();
		await relay.close();
		const orphan = randomBytes(32).toString('hex');
		mkdirSync(join(blobDir(), orphan.slice(0, 2)), { recursive: true });
		writeFileSync(join(blobDir(), orphan.slice(0, 2), orphan), randomBytes(1024));
		writeFileSync(join(blobDir(), orphan.slice(0, 2), `${orphan}.0a1b2c3d4e5f.tmp`), randomBytes(512));
		expect(filesUnder(blobDir())).toHaveLength(3);
		relay = await start();
		expect(filesUnder(blobDir())).toEqual([kept]);
	});
});

describe('the database store (in-memory PGlite, or Postgres with TEST_DATABASE_URL)', () => {
	let relay: Relay;
	beforeAll(async () => {
		relay = await startTestRelay();
		await jobWithOneTask(relay, 'refused-uploads-2');
	});
	afterAll(async () => {
		await relay?.close();
	});

	it('refused uploads write no blob row and no other row', async () => {
		const attacker = new ApiClient(relay.url, new NodeSigner());
		const [holder, lease] = await claimOne(relay);
		const before = await tableCounts(relay.ctx.db);
		for (let i = 0; i < 40; i++) expect((await attacker.reveal(strangerLease(), new Uint8Array(randomBytes(RESULT_BYTES_MAX)))).status).toBe(409);
		expect((await holder.reveal(lease, new Uint8Array(lease.resultBytes))).status).toBe(409);
		expect(await tableCounts(relay.ctx.db)).toEqual(before);
	});
});
