// `npm run soak -- ledger --kills N [--postgres URL]`: the crash soak. Runs the real relay under
// signed load (grants, jobs, claims, results), SIGKILLs it at random moments, restarts it on the
// same data, and after every restart checks through the API that the books balance (a fresh
// reconciliation, asked for with the operator's key) and
// that every acknowledged effect survived exactly once. Prints one JSON summary line.
// `npm run soak -- fuzz …` is the fuzz soak (scripts/soak/fuzz.ts).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Health } from '../src/lib/protocol/health.js';
import type { JobDetail } from '../src/lib/protocol/jobs.js';
import type { LedgerPage } from '../src/lib/protocol/ledger.js';
import type { Lease } from '../src/lib/protocol/leases.js';
import { ApiClient, commitAndReveal } from '../relay/testing/api-client.js';
import { NodeSigner } from '../relay/testing/node-signer.js';
import { redemptionIdFor } from '../relay/ledger/redemptions.js';
import { unstakeIdFor } from '../relay/ledger/stakes.js';
import { spawnRelay } from '../relay/testing/relay-process.js';

const WORKERS = 4;
const LOAD_MS_MIN = 100;
const LOAD_MS_MAX = 1_000;
/** Older acknowledged jobs re-checked after each restart (all of them at the end), so checks stay O(1) per round. */
const OLD_JOBS_SAMPLED = 8;
const PROGRESS_EVERY = 25;
/** Ledger pages read back to find a round's acknowledged money requests. */
const LEDGER_PAGES_MAX = 20;
const START_TIMEOUT_MS = 60_000;
const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 128, height: 128, maxIter: 32, tile: 64 };

interface Args {
	kills: number;
	postgres: string | null;
}

function parseArgs(argv: string[]): Args {
	if (argv[0] !== 'ledger') throw new Error('usage: npm run soak -- ledger --kills N [--postgres URL] | fuzz --cases N [--postgres URL]');
	const kills = Number(argv[argv.indexOf('--kills') + 1] ?? 50);
	if (!Number.isSafeInteger(kills) || kills < 1 || kills > 100_000) throw new Error('--kills must be 1..100000');
	const pg = argv.indexOf('--postgres');
	return { kills, postgres: pg >= 0 ? (argv[pg + 1] ?? null) : null };
}

/** What the relay acknowledged before a kill: each must be there after the restart, once. */
interface Acked {
	jobs: Set<string>;
	/** Stakes, unstakes and redemptions the relay answered 200 to, with the transfer id each made. */
	money: { round: number; path: string; body: unknown; transferId: string }[];
	/** jobId → taskIdx → worker key → sha256 of an acknowledged upload. */
	results: { jobId: string; taskId: string; worker: string; sha256: string }[];
}

export async function main(argv: string[]): Promise<void> {
	const args = parseArgs(argv);
	// Starter credits pay for the jobs; stakes and redemptions need credits the operator minted.
	// The operator's key also asks for a reconciliation after each restart (the public health
	// answer only carries the latest one the relay ran on its own).
	const operator = new NodeSigner();
	let minted = false;
	const dataDir = mkdtempSync(join(tmpdir(), 'mycelia-soak-'));
	const env: Record<string, string> = {
		PORT: '0',
		DATA_DIR: dataDir,
		STATIC_DIR: '',
		DEMO_GRANT_MICRO: '1000000000000',
		LEASE_MS: '5000',
		// Small warm-up and delay so adaptive replication and unstake releases happen under the kills.
		TRUST_WARMUP_STREAK: '3',
		UNSTAKE_DELAY_MS: '500',
		// A crash soak, not a limits test: its workers poll faster than any browser would.
		RATE_WRITES_PER_MIN: '1000000',
		RATE_READS_PER_MIN: '1000000',
		RATE_UPLOADS_PER_MIN: '1000000',
		RATE_KEY_REQUESTS_PER_MIN: '1000000',
		NONCES_PER_KEY_MAX: '1000000',
		OPERATOR_PUBLIC_KEY: operator.publicKeyHex,
		...(args.postgres ? { DATABASE_URL: args.postgres } : {})
	};
	const requester = new NodeSigner();
	const workers = Array.from({ length: WORKERS }, () => new NodeSigner());
	const acked: Acked = { jobs: new Set(), money: [], results: [] };
	const totals = { kills: 0, drift: 0, lost: 0, doubled: 0, failedReopens: 0, ackedResults: 0, ackedJobs: 0, ackedMoney: 0, seconds: 0 };
	const startedAt = Date.now();
	// Each loss is said on stderr as it is found, so a failing soak says what it lost.
	const lose = (what: string) => {
		totals.lost++;
		console.error(JSON.stringify({ lost: what, kills: totals.kills }));
	};
	let granted = false;
	const roundStartedAt = new Map<number, number>();
	try {
		// One start more than kills: the last start only checks what the last kill left behind.
		for (let round = 0; round <= args.kills; round++) {
			const relay = await spawnRelay(env, { timeoutMs: START_TIMEOUT_MS });
			if (!relay) {
				totals.failedReopens++;
				break;
			}
			const req = new ApiClient(relay.url, requester);
			// After every restart: the books balance and every acknowledged effect is there once.
			const invariants = (await new ApiClient(relay.url, operator).post<Health>('/health/reconcile', {})).body.reconciliation?.invariants ?? [];
			if (invariants.length === 0) totals.drift++;
			totals.drift += invariants.filter((i) => !i.ok).length;
			const doubled = invariants.find((i) => i.name === 'each task slot is paid at most once');
			totals.doubled += doubled?.problemCount ?? 0;
			const details = new Map<string, JobDetail>();
			const jobs = [...acked.jobs];
			const last = round === args.kills;
			// Every job of the last round and a sample of older ones; all of them after the final start.
			const checked = last ? jobs : [...jobs.slice(-2), ...Array.from({ length: Math.min(OLD_JOBS_SAMPLED, jobs.length) }, () => jobs[Math.floor(Math.random() * jobs.length)] as string)];
			for (const jobId of new Set(checked)) {
				const res = await req.get<JobDetail>(`/jobs/${jobId}`);
				if (res.status !== 200) lose(`job ${jobId} answered ${res.status}`);
				else details.set(jobId, res.body);
			}
			for (const r of acked.results) {
				if (!details.has(r.jobId)) continue;
				const task = details.get(r.jobId)?.tasks.find((t) => t.id === r.taskId);
				const found = task?.results.filter((x) => x.worker === r.worker && x.sha256 === r.sha256).length ?? 0;
				if (found === 0) lose(`result of ${r.worker.slice(0, 8)} for ${r.taskId} missing`);
				if (found > 1) totals.doubled++;
			}

			// Money requests acknowledged last round: each transfer is in the books exactly once (two
			// entries, one per holding), and sending it again changes nothing.
			const recent = acked.money.filter((m) => m.round === round - 1);
			if (recent.length > 0) {
				// Pages back to the round the requests were made in: refunds and releases settled
				// since then can be more than a page, and must not hide an acknowledged transfer.
				const since = roundStartedAt.get(round - 1) ?? 0;
				const count = async () => {
					const entries: LedgerPage['entries'] = [];
					let before: number | null = null;
					for (let pages = 0; pages < LEDGER_PAGES_MAX; pages++) {
						const page: LedgerPage = (await req.get<LedgerPage>(`/accounts/${requester.publicKeyHex}/entries?limit=50${before ? `&before=${before}` : ''}`)).body;
						entries.push(...page.entries);
						before = page.nextBefore;
						if (before === null || page.entries.some((e) => e.at < since)) break;
					}
					return (id: string) => entries.filter((e) => e.transferId === id).length;
				};
				const before = await count();
				for (const m of recent) {
					if (before(m.transferId) === 0) lose(`transfer ${m.transferId} missing`);
					if (before(m.transferId) > 2) totals.doubled++;
				}
				const again = recent[Math.floor(Math.random() * recent.length)] as Acked['money'][number];
				const resent = await req.post(again.path, again.body);
				if (resent.status !== 200) lose(`resent ${again.path} answered ${resent.status} ${JSON.stringify(resent.body).slice(0, 200)}`);
				if ((await count())(again.transferId) !== 2) totals.doubled++;
				totals.ackedMoney += recent.length;
			}

			if (last) {
				await relay.stop('SIGTERM');
				break;
			}

			// Load until a random kill.
			roundStartedAt.set(round, Date.now() - 1_000);
			let stop = false;
			const load = async () => {
				if (!granted) granted = (await req.post('/grants/demo', {})).status < 300 || granted;
				if (!minted) minted = (await new ApiClient(relay.url, operator).post('/mint', { to: requester.publicKeyHex, amountMicro: 1_000_000_000_000, ref: 'soak-requester' })).status < 300;
				const jobRes = await req.post<{ id: string }>('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: 50_000_000, clientRef: `soak-${round}-${randomBytes(3).toString('hex')}` });
				if (jobRes.status < 300) acked.jobs.add(jobRes.body.id);
				const money = async (path: string, body: { ref: string; amountMicro: number; destination?: string }, transferId: string) => {
					if ((await req.post(path, body)).status === 200) acked.money.push({ round, path, body, transferId });
				};
				const key = requester.publicKeyHex;
				await money('/stakes', { amountMicro: 2_000, ref: `soak-stake-${round}` }, `stake:${key}:soak-stake-${round}`);
				await money('/unstakes', { amountMicro: 1_000, ref: `soak-unstake-${round}` }, `unstake:${unstakeIdFor(key, `soak-unstake-${round}`)}`);
				await money('/redemptions', { amountMicro: 500, destination: 'soak test', ref: `soak-redeem-${round}` }, `redeem:${redemptionIdFor(key, `soak-redeem-${round}`)}`);
				await Promise.all(
					workers.map(async (signer) => {
						const w = new ApiClient(relay.url, signer);
						while (!stop) {
							const claim = await w.post<{ leases: Lease[] }>('/leases', { maxTasks: 2, kernels: ['mandelbrot'], backend: 'cpu' });
							if (claim.status !== 200 || claim.body.leases.length === 0) break;
							for (const lease of claim.body.leases) {
								// Agreeing replicas: the relay only compares hashes, so any equal bytes will do.
								const bytes = new Uint8Array(lease.resultBytes);
								bytes.set(createHash('sha256').update(lease.taskId).digest());
								const sha256 = createHash('sha256').update(bytes).digest('hex');
								const res = await commitAndReveal(w, lease, bytes);
								if (res.status === 200) acked.results.push({ jobId: lease.jobId, taskId: lease.taskId, worker: signer.publicKeyHex, sha256 });
							}
						}
					})
				);
			};
			const running = load().catch(() => {});
			await new Promise((r) => setTimeout(r, LOAD_MS_MIN + Math.random() * (LOAD_MS_MAX - LOAD_MS_MIN)));
			const killed = relay.stop('SIGKILL');
			stop = true;
			await killed;
			await running;
			totals.kills++;
			// Progress on stderr: long soaks (1,000 kills) take most of an hour.
			if (totals.kills % PROGRESS_EVERY === 0) console.error(JSON.stringify({ progress: totals.kills, of: args.kills, ...totals, seconds: Math.round((Date.now() - startedAt) / 1000) }));
		}
		totals.ackedJobs = acked.jobs.size;
		totals.ackedResults = acked.results.length;
		totals.seconds = Math.round((Date.now() - startedAt) / 1000);
		console.log(JSON.stringify({ soak: 'ledger', storage: args.postgres ? 'postgres' : 'pglite', ...totals }));
		if (totals.drift + totals.lost + totals.doubled + totals.failedReopens > 0) process.exitCode = 1;
	} finally {
		rmSync(dataDir, { recursive: true, force: true });
	}
}

// `fuzz` is the other soak (scripts/soak/fuzz.ts); anything else is the crash soak above.
const [command, ...rest] = process.argv.slice(2);
if (command === 'fuzz') await (await import('./soak/fuzz.js')).main(rest);
else await main(process.argv.slice(2));
