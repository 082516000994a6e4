// Issue 14, finding 1 (unlimited starter credits): a farm of fresh keys from one address once
// got 30,608 grants in 60 s, and two such keys then agreed on arbitrary bytes and were paid,
// moving credits between one person's keys. Here, against the real relay: the farm gets the
// configured number and 429s with Retry-After after that (and nothing else is written), the cap
// survives a restart, the relay-wide cap holds across addresses, and credits farmed that way,
// even paid on between one's own keys, can only buy work: never a stake or a redemption.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import type { Account } from '../../src/lib/protocol/accounts.js';
import type { JobSummary } from '../../src/lib/protocol/jobs.js';
import type { Lease } from '../../src/lib/protocol/leases.js';
import type { Holdings } from '../../src/lib/protocol/stakes.js';
import { DEFAULT_REQUEST_LIMITS } from '../limits/request-limits.js';
import { checkInvariants } from '../ledger/invariants.js';
import type { Relay } from '../server.js';
import { ApiClient, submitReplicas } from '../testing/api-client.js';
import { dbSnapshot } from '../testing/db-snapshot.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';

const GRANT = 50_000_000;
const SPEC = { centerRe: '-0.75', centerIm: '0', zoom: '1', width: 128, height: 64, maxIter: 200, tile: 64 };

const relays: Relay[] = [];
const dirs: string[] = [];
const cleanups: (() => Promise<void>)[] = [];

/** Storage that outlives a relay: a PGlite folder, or (the Postgres suite) a database of its own. */
async function durableStorage(): Promise<{ dataDir: string | null; databaseUrl: string | null }> {
	const adminUrl = process.env.TEST_DATABASE_URL;
	if (!adminUrl) {
		const dataDir = mkdtempSync(join(tmpdir(), 'mycelia-grants-'));
		dirs.push(dataDir);
		return { dataDir, databaseUrl: null };
	}
	const name = `mycelia_test_${randomBytes(6).toString('hex')}`;
	const admin = (sql: string) => {
		const c = postgres(adminUrl, { max: 1, onnotice: () => {} });
		return c.unsafe(sql).finally(() => c.end());
	};
	await admin(`CREATE DATABASE ${name}`);
	cleanups.push(async () => void (await admin(`DROP DATABASE IF EXISTS ${name}`)));
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	return { dataDir: null, databaseUrl: url.toString() };
}
async function relay(overrides: Parameters<typeof startTestRelay>[0] = {}): Promise<Relay> {
	const r = await startTestRelay(overrides);
	relays.push(r);
	return r;
}
afterAll(async () => {
	for (const r of relays) await r.close();
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
	for (const c of cleanups) await c();
});

/** Fresh keys asking for starter credits, `parallel` at a time, from the address `from` (X-Forwarded-For) or loopback. */
async function farm(r: Relay, count: number, from?: string, parallel = 8) {
	const out = { granted: 0, refused: new Map<string, number>(), retryAfterS: [] as number[], other: [] as number[] };
	let next = 0;
	await Promise.all(
		Array.from({ length: parallel }, async () => {
			while (next < count) {
				next++;
				const c = new ApiClient(r.url, new NodeSigner());
				if (from) c.headers = { 'x-forwarded-for': from };
				const body = new TextEncoder().encode('{}');
				const path = '/api/v1/grants/demo';
				const res = await fetch(r.url + path, { method: 'POST', body, headers: { ...c.headers, 'content-type': 'application/json', ...c.signer!.headers(r.url, 'POST', path, body) } });
				const json = (await res.json()) as { error?: { code: string } };
				if (res.status === 201) out.granted++;
				else if (res.status === 429) {
					const code = json.error?.code ?? '?';
					out.refused.set(code, (out.refused.get(code) ?? 0) + 1);
					out.retryAfterS.push(Number(res.headers.get('retry-after')));
				} else out.other.push(res.status);
			}
		})
	);
	return out;
}

const grantRows = async (r: Relay) => {
	const [row] = await r.ctx.db.query<{ transfers: unknown; starters: unknown; users: unknown }>(
		`SELECT (SELECT count(*) FROM transfers WHERE reason = 'grant') AS transfers,
			(SELECT count(*) FROM accounts WHERE kind = 'starter') AS starters,
			(SELECT count(*) FROM accounts WHERE kind = 'user') AS users`
	);
	return { transfers: Number(row?.transfers), starters: Number(row?.starters), users: Number(row?.users) };
};

describe('a starter-grant farm from one address (finding 1)', () => {
	it('gets the configured number of grants; every other request is a 429 with Retry-After, and writes nothing', async () => {
		const r = await relay();
		const cap = DEFAULT_REQUEST_LIMITS.grantsPerAddress;
		const before = await dbSnapshot(r.ctx.db);
		const started = performance.now();
		const result = await farm(r, 3 * cap);
		const ms = performance.now() - started;
		expect(result.other).toEqual([]);
		expect(result.granted).toBe(cap);
		expect([...result.refused.values()].reduce((a, b) => a + b, 0)).toBe(2 * cap);
		expect(result.retryAfterS.every((s) => Number.isInteger(s) && s >= 1)).toBe(true);
		// The allowance answers until the period ends; the request bucket, within seconds.
		if (result.refused.has('grant_limit')) expect(Math.max(...result.retryAfterS)).toBeGreaterThan(60);
		const after = await dbSnapshot(r.ctx.db);
		// Exactly the granted keys have a starter account and one transfer each; nobody else has anything.
		expect(await grantRows(r)).toEqual({ transfers: cap, starters: cap, users: 0 });
		const grew = (table: string) => (after[table] ?? 0) - (before[table] ?? 0);
		expect(grew('accounts')).toBe(cap);
		expect(grew('transfers')).toBe(cap);
		expect(grew('balances')).toBe(2 * cap * GRANT); // each grant: the mint's −50 and the starter's +50
		expect(grew('jobs') + grew('leases') + grew('results') + grew('blobs')).toBe(0);
		expect(await checkInvariants(r.ctx.db)).toEqual([]);
		console.log(`grant farm, one address: ${result.granted} of ${3 * cap} granted in ${Math.round(ms)} ms; refused ${JSON.stringify(Object.fromEntries(result.refused))}`);

		// The message says whose allowance ran out.
		const late = new ApiClient(r.url, new NodeSigner());
		const refused = await late.post<{ error: { code: string; message: string } }>('/grants/demo', {});
		expect(refused.status).toBe(429);
		if (refused.body.error.code === 'grant_limit') expect(refused.body.error.message).toMatch(/your network \(127\.0\.0\.1\) has already received 60 starter grants/);
	});

	it('keeps the count through a restart, while other addresses still get theirs, up to the relay-wide cap', async () => {
		const storage = await durableStorage();
		const limits = { ...DEFAULT_REQUEST_LIMITS, grantsPerAddress: 3, grantsPerPeriod: 7 };
		const first = await startTestRelay({ ...storage, trustProxy: true, limits });
		expect((await farm(first, 5, '203.0.113.7', 1)).granted).toBe(3);
		await first.close();

		const again = await relay({ ...storage, trustProxy: true, limits });
		const same = await farm(again, 3, '203.0.113.7', 1);
		expect(same.granted, 'a restart does not reset the address').toBe(0);
		expect(same.refused.get('grant_limit')).toBe(3);
		const asked = new ApiClient(again.url, new NodeSigner());
		asked.headers = { 'x-forwarded-for': '203.0.113.7' };
		const words = await asked.post<{ error: { message: string } }>('/grants/demo', {});
		expect(words.body.error.message).toMatch(/^your network \(203\.0\.113\.7\) has already received 3 starter grants, the most one address gets every 24 h; more are given in \d+ (h|min)/);
		expect((await farm(again, 5, '198.51.100.1', 1)).granted, 'another address has its own allowance').toBe(3);
		const last = await farm(again, 5, '192.0.2.1', 1);
		expect(last.granted, 'the relay-wide cap (7) stops the third address at one').toBe(1);
		const c = new ApiClient(again.url, new NodeSigner());
		c.headers = { 'x-forwarded-for': '2001:db8:5::1' };
		const res = await c.post<{ error: { code: string; message: string } }>('/grants/demo', {});
		expect(res.status).toBe(429);
		expect(res.body.error.message).toMatch(/^this relay has given all 7 starter grants it gives every 24 h; more are given in \d+ (h|min)/);
		expect(await grantRows(again)).toMatchObject({ transfers: 7, starters: 7 });
		expect(await checkInvariants(again.ctx.db)).toEqual([]);
	});

	it('turns farmed credits into work only: paid on between one person’s keys, they still cannot be staked or redeemed', async () => {
		const r = await relay();
		const [requester, b, c] = [0, 1, 2].map(() => new ApiClient(r.url, new NodeSigner()));
		for (const k of [requester, b, c]) expect((await k!.post('/grants/demo', {})).status).toBe(201);
		const job = (await requester!.post<JobSummary>('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: 10_000_000, clientRef: 'launder-1' })).body;
		expect(job.state).toBe('running');
		// b and c are the same person: they agree on made-up bytes, and the relay, comparing hashes, pays both.
		const claim = async (w: ApiClient) => (await w.claim({ maxTasks: 16, kernels: ['mandelbrot'] })).body.leases.filter((l: Lease) => l.jobId === job.id);
		const [lb, lc] = [await claim(b!), await claim(c!)];
		expect(lb.length).toBe(job.tasks);
		const fake = (l: Lease) => new Uint8Array(l.resultBytes).fill(7);
		for (let i = 0; i < lb.length; i++) {
			const mine = lb[i] as Lease;
			const theirs = lc.find((l) => l.taskId === mine.taskId) as Lease;
			await submitReplicas([[b!, mine, fake(mine)], [c!, theirs, fake(theirs)]]);
		}
		const settled = await r.ctx.db.query<{ state: string }>('SELECT state FROM jobs WHERE id = $1', [job.id]);
		expect(settled[0]?.state).toBe('completed');
		for (const w of [b!, c!]) {
			const h = (await w.get<Holdings>(`/accounts/${w.key}/holdings`)).body;
			expect(h.balanceMicro, 'nothing reached a stakeable balance').toBe(0);
			expect(h.starterMicro).toBeGreaterThan(GRANT);
			const account = (await w.get<Account>(`/accounts/${w.key}`)).body;
			expect(account.earnedMicro).toBe(h.starterMicro - GRANT);
			expect(account.balanceMicro, 'spendable on work').toBe(h.starterMicro);
			for (const [path, body] of [
				['/stakes', { amountMicro: 1, ref: 'farmed-stake' }],
				['/redemptions', { amountMicro: 1, destination: 'IBAN DE00 0000', ref: 'farmed-redeem' }]
			] as const) {
				expect((await w.post(path, body)).status, path).toBe(402);
			}
		}
		// What is left of the budget goes back as starter credits; the fee went to the operator's account.
		const rh = (await requester!.get<Holdings>(`/accounts/${requester!.key}/holdings`)).body;
		expect(rh.balanceMicro).toBe(0);
		const [moved] = await r.ctx.db.query<{ n: unknown }>(
			`SELECT count(*) AS n FROM transfers WHERE (credit LIKE 'user:%' OR credit LIKE 'stake:%' OR credit LIKE 'redeeming:%') AND job_id = $1`,
			[job.id]
		);
		expect(Number(moved?.n)).toBe(0);
		// Farmed credits still buy work: b spends its earnings on a job of its own.
		const spent = await b!.post<JobSummary>('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: GRANT + 1, clientRef: 'spend-earnings' });
		expect(spent.status).toBe(201);
		expect(await checkInvariants(r.ctx.db)).toEqual([]);
	});
});
