import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RECEIPT_HEADER } from '../../src/lib/protocol/auth.js';
import { API_PREFIX } from '../../src/lib/protocol/version.js';
import { encodeReceiptHeader } from '../../src/lib/verify/receipt.js';
import { resultCommitment } from '../../src/lib/verify/commitment.js';
import { REVEAL_HEADERS } from '../../src/lib/protocol/verification.js';
import type { Lease } from '../../src/lib/protocol/leases.js';
import { ApiClient } from '../testing/api-client.js';
import type { Relay } from '../server.js';
import { dbSnapshot } from '../testing/db-snapshot.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';

/** One signed request, frozen: the exact bytes and headers an attacker could capture and resend. */
interface Captured {
	path: string;
	body: Uint8Array;
	headers: Record<string, string>;
}

function capture(relay: Relay, signer: NodeSigner, path: string, body: Uint8Array, extra: Record<string, string> = {}): Captured {
	const full = API_PREFIX + path;
	return { path: full, body, headers: { ...extra, ...signer.headers(relay.url, 'POST', full, body) } };
}
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

async function sendTimes(relay: Relay, c: Captured, times: number): Promise<{ status: number; body: { error?: { code: string } } }[]> {
	return Promise.all(
		Array.from({ length: times }, async () => {
			const res = await fetch(relay.url + c.path, { method: 'POST', body: new Uint8Array(c.body), headers: c.headers });
			return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
		})
	);
}

const ZEROS = new Uint8Array(64 * 64 * 4);
const ZEROS_SHA = createHash('sha256').update(ZEROS).digest('hex');
const SALT = '5a'.repeat(16);

const dataDir = mkdtempSync(join(tmpdir(), 'mycelia-replay-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('replayed signed requests have exactly one effect', () => {
	it('sent 1–10 times concurrently, and again after a restart', async () => {
		const requester = new NodeSigner();
		const worker = new NodeSigner();
		// A restart must find the same books, so this test keeps them in a PGlite folder.
		let relay = await startTestRelay({ dataDir, databaseUrl: null });
		const captured: Captured[] = [];
		try {
			const steps: (() => Promise<Captured>)[] = [
				async () => capture(relay, requester, '/grants/demo', json({})),
				async () =>
					capture(relay, requester, '/jobs', json({ kernel: 'mandelbrot', spec: { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 64, height: 64, maxIter: 50, tile: 64 }, budgetMicro: 5_000_000, clientRef: 'replay-job-1' }), {
						'content-type': 'application/json'
					}),
				async () => capture(relay, worker, '/leases', json({ maxTasks: 1, kernels: ['mandelbrot'], backend: 'cpu' })),
				async () => {
					const [lease] = await relay.ctx.db.query<{ id: string }>('SELECT id FROM leases WHERE worker = $1', [worker.publicKeyHex]);
					if (!lease) throw new Error('setup: no lease');
					const commitment = resultCommitment({ leaseId: lease.id, sha256: ZEROS_SHA, merkleRoot: null, salt: SALT });
					const claim = { maxTasks: 0, kernels: ['mandelbrot'], backend: 'cpu', commitments: [{ leaseId: lease.id, commitment }] };
					return capture(relay, worker, '/leases', json(claim), { 'content-type': 'application/json' });
				},
				async () => {
					const res = await fetch(`${relay.url}${API_PREFIX}/jobs?requester=${requester.publicKeyHex}`);
					const { jobs } = (await res.json()) as { jobs: { id: string }[] };
					const [lease] = await relay.ctx.db.query<{ id: string; task_id: string }>('SELECT id, task_id FROM leases WHERE worker = $1', [worker.publicKeyHex]);
					if (!lease || !jobs[0]) throw new Error('setup: no lease or job');
					// The second replica commits too, so reveals are open.
					const other = new ApiClient(relay.url, new NodeSigner());
					const [otherLease] = (await other.post<{ leases: Lease[] }>('/leases', { maxTasks: 1, kernels: ['mandelbrot'], backend: 'cpu' })).body.leases;
					if (!otherLease) throw new Error('setup: no second lease');
					expect((await other.commit(otherLease, ZEROS)).ok).toBe(true);
					const receipt = worker.receipt({ v: 1, taskId: lease.task_id, leaseId: lease.id, kernel: 'mandelbrot', kernelVersion: 1, sha256: ZEROS_SHA });
					return capture(relay, worker, `/results/${lease.id}`, ZEROS, {
						'content-type': 'application/octet-stream',
						[RECEIPT_HEADER]: encodeReceiptHeader(receipt),
						[REVEAL_HEADERS.salt]: SALT
					});
				},
				async () => {
					const [job] = await relay.ctx.db.query<{ id: string }>('SELECT id FROM jobs WHERE requester = $1', [requester.publicKeyHex]);
					return capture(relay, requester, `/jobs/${job?.id}/cancel`, json({}));
				}
			];
			for (const [i, step] of steps.entries()) {
				const c = await step();
				captured.push(c);
				const times = 1 + ((i * 7 + 3) % 10);
				const responses = await sendTimes(relay, c, times);
				const ok = responses.filter((r) => r.status < 300);
				expect(ok, `${c.path} sent ${times}×: ${JSON.stringify(responses.map((r) => r.status))}`).toHaveLength(1);
				for (const r of responses.filter((x) => x.status >= 300)) expect(r.body.error?.code).toBe('replayed_nonce');
				// Sending once more, later, still changes nothing.
				const before = await dbSnapshot(relay.ctx.db);
				const again = await sendTimes(relay, c, 1);
				expect(again[0]?.status).toBe(401);
				expect(await dbSnapshot(relay.ctx.db)).toEqual(before);
			}
			const [counts] = await relay.ctx.db.query<{ grants: unknown; jobs: unknown; results: unknown; refunds: unknown }>(
				`SELECT (SELECT count(*) FROM transfers WHERE reason = 'grant') AS grants, (SELECT count(*) FROM jobs) AS jobs,
					(SELECT count(*) FROM results) AS results, (SELECT count(*) FROM transfers WHERE reason = 'refund') AS refunds`
			);
			expect(counts).toEqual({ grants: 1, jobs: 1, results: 1, refunds: 1 });
		} finally {
			await relay.close();
		}

		// After a restart the replay cache is empty, but every captured request predates the new
		// relay's start, so none of them is accepted and nothing changes.
		relay = await startTestRelay({ dataDir, databaseUrl: null });
		try {
			const before = await dbSnapshot(relay.ctx.db);
			for (const c of captured) {
				const responses = await sendTimes(relay, c, 3);
				for (const r of responses) {
					expect(r.status).toBe(401);
					expect(r.body.error?.code).toBe('stale_signature');
				}
			}
			expect(await dbSnapshot(relay.ctx.db)).toEqual(before);
		} finally {
			await relay.close();
		}
	});
});
