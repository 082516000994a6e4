// `npm run bench -- relay`: results settled per second through the real HTTP API (signed
// claims, signed uploads with receipts, quorum and payouts in PGlite on disk), with the raw
// node:crypto ed25519 verify rate measured in the same run as the baseline.
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Commitment, Lease } from '../src/lib/protocol/leases.js';
import { CLAIM_COMMITMENTS_MAX } from '../src/lib/protocol/limits.js';
import { ApiClient } from '../relay/testing/api-client.js';
import { NodeSigner } from '../relay/testing/node-signer.js';
import { spawnRelay } from '../relay/testing/relay-process.js';
import { report } from './report.js';

const WORKERS = Number(process.env.BENCH_WORKERS ?? 16);
const CLAIM_MAX = Number(process.env.BENCH_CLAIM_MAX ?? 4);
const WARMUP_MS = 3_000;
const MEASURE_MS = 12_000;
/** 1024×1024 at 64-pixel tiles: 256 tasks of 16 KiB, 512 results per job. */
const SPEC = { centerRe: '-0.75', centerIm: '0', zoom: '1', width: 1024, height: 1024, maxIter: 64, tile: 64 };

function ed25519VerifyRate(): number {
	const { publicKey, privateKey } = generateKeyPairSync('ed25519');
	const msg = Buffer.from('mycelia-request/1\nhttp://127.0.0.1:8787\nPOST /api/v1/results/x\n' + 'a'.repeat(64));
	const sig = sign(null, msg, privateKey);
	const started = performance.now();
	let n = 0;
	while (performance.now() - started < 2_000) {
		for (let i = 0; i < 100; i++) verify(null, msg, publicKey, sig);
		n += 100;
	}
	return n / ((performance.now() - started) / 1000);
}

export async function main(): Promise<void> {
	const verifyRate = ed25519VerifyRate();
	const dataDir = mkdtempSync(join(tmpdir(), 'mycelia-bench-'));
	// RELAY_NODE_ARGS lets a profiler ride along, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
	const relay = await spawnRelay(
		{
			PORT: '0',
			DATA_DIR: dataDir,
			STATIC_DIR: '',
			DEMO_GRANT_MICRO: '1000000000000',
			LEASE_MS: '60000',
			// Throughput, not limits: every worker here shares one address and polls flat out.
			RATE_WRITES_PER_MIN: '1000000000',
			RATE_READS_PER_MIN: '1000000000',
			RATE_UPLOADS_PER_MIN: '1000000000',
			RATE_KEY_REQUESTS_PER_MIN: '1000000000',
			NONCES_PER_KEY_MAX: '1000000'
		},
		{ nodeArgs: (process.env.RELAY_NODE_ARGS ?? '').split(' ').filter(Boolean) }
	);
	if (!relay) throw new Error('the relay did not start');
	try {
		const requester = new ApiClient(relay.url, new NodeSigner());
		await requester.post('/grants/demo', {});
		let jobs = 0;
		const newJob = async () => {
			const res = await requester.post('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: 500_000_000, clientRef: `bench-${jobs++}-${Date.now()}` });
			if (res.status !== 201) throw new Error(`job creation failed: ${JSON.stringify(res.body)}`);
		};
		await newJob();
		await newJob();

		let settled = 0;
		let claims = 0;
		let counting = false;
		let stop = false;
		const errors = new Map<string, number>();
		// One worker as the browser runs it: each claim carries the commitments of the results it
		// finished and lists which of its commitments may be revealed; those are uploaded at once.
		const worker = async (client: ApiClient) => {
			const awaiting = new Map<string, { lease: Lease; bytes: Uint8Array }>();
			let toCommit: Commitment[] = [];
			while (!stop) {
				const commitments = toCommit.slice(0, CLAIM_COMMITMENTS_MAX);
				const res = await client.claim({ maxTasks: CLAIM_MAX, kernels: ['mandelbrot'], commitments });
				if (counting) claims++;
				if (res.status !== 200) {
					errors.set(`claim ${res.status}`, (errors.get(`claim ${res.status}`) ?? 0) + 1);
					continue;
				}
				toCommit = toCommit.slice(commitments.length);
				await Promise.all(
					res.body.reveal.map(async (leaseId) => {
						const held = awaiting.get(leaseId);
						if (!held) return;
						awaiting.delete(leaseId);
						const r = await client.reveal<{ verdict: string }>(held.lease, held.bytes);
						if (r.status === 200 && counting) settled++;
						else if (r.status !== 200) errors.set(String(r.status), (errors.get(String(r.status)) ?? 0) + 1);
					})
				);
				for (const lease of res.body.leases) {
					// Agreeing replicas: every worker computes the same bytes for a task. The relay only
					// compares hashes, so the bytes need not be a real tile for a throughput figure.
					const bytes = new Uint8Array(lease.resultBytes);
					bytes.set(createHash('sha256').update(lease.taskId).digest());
					awaiting.set(lease.leaseId, { lease, bytes });
					toCommit.push(client.commitmentFor(lease, bytes));
				}
				if (res.body.leases.length === 0 && res.body.reveal.length === 0 && toCommit.length === 0) {
					if (jobs < 200) await newJob();
					else await new Promise((r) => setTimeout(r, 20));
				}
			}
		};
		const clients = Array.from({ length: WORKERS }, () => new ApiClient(relay.url, new NodeSigner()));
		const running = clients.map(worker);
		await new Promise((r) => setTimeout(r, WARMUP_MS));
		counting = true;
		const started = performance.now();
		await new Promise((r) => setTimeout(r, MEASURE_MS));
		counting = false;
		const seconds = (performance.now() - started) / 1000;
		stop = true;
		await Promise.all(running);
		if (errors.size > 0) console.error('non-200 submissions:', Object.fromEntries(errors));
		const baseline = { metric: 'node_crypto_ed25519_verify_per_s', value: verifyRate };
		report('relay', 'settled_results_per_s_pglite', settled / seconds, 'results/s', baseline);
		report('relay', 'claims_per_s_pglite', claims / seconds, 'claims/s', baseline);
		report('relay', 'node_crypto_ed25519_verify_per_s', verifyRate, 'verifies/s');
	} finally {
		await relay.stop();
		rmSync(dataDir, { recursive: true, force: true });
	}
}
