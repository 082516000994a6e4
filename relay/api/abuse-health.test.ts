// Finding 4 of issue 14: eight loops of unauthenticated GET /health made the relay reconcile the
// books under PGlite's exclusive lock on every request, and a claim went from 1 ms to 87 ms.
// Health now answers from memory; the reconciliation runs in the background in short
// statements. On a database with history, claim latency must stay low with eight health loops,
// and with the operator's reconciliation running back to back.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../testing/api-client.js';
import { buildHistory } from '../testing/ledger-history.js';
import { NodeSigner } from '../testing/node-signer.js';
import { spawnRelay, type RelayProcess } from '../testing/relay-process.js';

const LOOPS = 8;
/** Claims measured per condition, in rounds that take turns, so load from outside the test falls on all of them alike. */
const ROUNDS = 8;
const CLAIMS_PER_ROUND = 30;
const CLAIM_P99_MS_MAX = 20;
/**
 * On a machine so loaded that claims alone come near the target (two cores shared by several
 * test runs, the loops' own process taking one of them), the loops may at most triple the quiet
 * p99; before the fix they multiplied it by 10 to 60. (Doubling was the bound until a clean-clone
 * CI run measured 43.4 ms against 2 × 21.0: the loops' CPU, not the database lock.)
 */
const LOADED_MACHINE_FACTOR = 3;

const operator = new NodeSigner();
const dataDir = mkdtempSync(join(tmpdir(), 'mycelia-abuse-health-'));
let relay: RelayProcess;
beforeAll(async () => {
	// Its own process (as deployed), so the loops here do not share the relay's event loop. The
	// schedule runs every second, so background reconciliations land during the measurement too.
	const started = await spawnRelay({
		PORT: '0',
		DATA_DIR: dataDir,
		STATIC_DIR: '',
		OPERATOR_PUBLIC_KEY: operator.publicKeyHex,
		PAIRING_WAIT_MS: '0',
		RECONCILE_INTERVAL_MS: '1000',
		// Every health answer must reach the handler: this measures what answering health costs
		// claims, not the read limit (which would answer most of the loops' requests with 429).
		RATE_READS_PER_MIN: '100000000'
	});
	if (!started) throw new Error('the relay did not start');
	relay = started;
	await buildHistory(relay.url, { jobs: 6, fundedKeys: 100 });
}, 60_000);
afterAll(async () => {
	await relay?.stop();
	rmSync(dataDir, { recursive: true, force: true });
});

const quantile = (xs: readonly number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

/** Sequential claims, each by a fresh key (as new devices arrive), timed end to end. */
async function claimLatencies(n: number): Promise<number[]> {
	const out: number[] = [];
	for (let i = 0; i < n; i++) {
		const c = new ApiClient(relay.url, new NodeSigner());
		const started = performance.now();
		const res = await c.claim({ maxTasks: 1, kernels: ['mandelbrot'] });
		out.push(performance.now() - started);
		expect(res.status).toBe(200);
	}
	return out;
}

/**
 * LOOPS loops of GET /health in a process of their own (as from other machines): in this one,
 * their responses would hold up the event loop that times the claims. One process for the whole
 * test (started and warmed once); each `run` starts the loops and resolves with the number of
 * answers, 200 or not, when `until` settles.
 */
function healthLoops(url: string) {
	const script = `import { createInterface } from 'node:readline';
		let running = false, ok = 0, bad = 0, loops = [];
		const loop = async () => { while (running) { const r = await fetch(${JSON.stringify(`${url}/api/v1/health`)}); await r.arrayBuffer(); r.status === 200 ? ok++ : bad++; } };
		for await (const line of createInterface({ input: process.stdin })) {
			if (line === 'start') { ok = 0; bad = 0; running = true; loops = Array.from({ length: ${LOOPS} }, loop); console.log('started'); }
			else if (line === 'stop') { running = false; await Promise.all(loops); console.log(JSON.stringify({ ok, bad })); }
		}`;
	const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
	let out = '';
	child.stdout.on('data', (d: Buffer) => (out += d.toString()));
	const line = (): Promise<string> =>
		new Promise((resolve, reject) => {
			const check = () => {
				const i = out.indexOf('\n');
				if (i < 0) return;
				child.stdout.off('data', check);
				child.off('exit', onExit);
				const first = out.slice(0, i);
				out = out.slice(i + 1);
				resolve(first);
			};
			const onExit = (code: number | null) => reject(new Error(`the health loops exited with ${code}`));
			child.stdout.on('data', check);
			child.once('exit', onExit);
			check();
		});
	const command = async (c: 'start' | 'stop') => {
		child.stdin.write(`${c}\n`);
		return line();
	};
	return {
		async run<T>(until: () => Promise<T>): Promise<{ result: T; ok: number; bad: number }> {
			expect(await command('start')).toBe('started');
			const result = await until();
			return { result, ...(JSON.parse(await command('stop')) as { ok: number; bad: number }) };
		},
		close: () => child.kill('SIGTERM')
	};
}

/** Runs `loop` on LOOPS concurrent loops while `measure` runs; returns both results. */
async function during<T>(loop: () => Promise<unknown>, measure: () => Promise<T>): Promise<{ result: T; calls: number }> {
	let stop = false;
	let calls = 0;
	const loops = Array.from({ length: LOOPS }, async () => {
		while (!stop) {
			await loop();
			calls++;
		}
	});
	try {
		const result = await measure();
		stop = true;
		await Promise.all(loops);
		return { result, calls };
	} finally {
		stop = true;
		await Promise.all(loops);
	}
}

const figures = (xs: number[]) => ({ p50: Math.round(quantile(xs, 0.5) * 10) / 10, p99: Math.round(quantile(xs, 0.99) * 10) / 10 });

describe('abuse: parallel health checks', () => {
	it(`leave claim p99 under ${CLAIM_P99_MS_MAX} ms, as does reconciling back to back`, async () => {
		const op = new ApiClient(relay.url, operator);
		let longestStepMs = 0;
		const reconcileNow = async () => {
			const res = await op.post<{ reconciliation: { longestStepMs: number; ok: boolean } }>('/health/reconcile', {});
			expect(res.status).toBe(200);
			expect(res.body.reconciliation.ok).toBe(true);
			longestStepMs = Math.max(longestStepMs, res.body.reconciliation.longestStepMs);
		};
		const loops = healthLoops(relay.url);
		// Warm up the claims and the loops' process (its first fetches compile and connect).
		await claimLatencies(20);
		await loops.run(() => new Promise((r) => setTimeout(r, 300)));
		const quiet: number[] = [];
		const loud: number[] = [];
		const reconciling: number[] = [];
		let healthAnswers = 0;
		let reconcileAnswers = 0;
		for (let round = 0; round < ROUNDS; round++) {
			quiet.push(...(await claimLatencies(CLAIMS_PER_ROUND)));
			const h = await loops.run(() => claimLatencies(CLAIMS_PER_ROUND));
			expect(h.bad).toBe(0);
			loud.push(...h.result);
			healthAnswers += h.ok;
			const r = await during(reconcileNow, () => claimLatencies(CLAIMS_PER_ROUND));
			reconciling.push(...r.result);
			reconcileAnswers += r.calls;
		}
		loops.close();
		const report = {
			claimsMs: { quiet: figures(quiet), healthLoops: figures(loud), reconcilingBackToBack: figures(reconciling) },
			healthAnswers,
			reconcileAnswers,
			reconciliationLongestStepMs: longestStepMs
		};
		console.log(`[abuse-health] ${JSON.stringify(report)}`);
		expect(healthAnswers).toBeGreaterThan(loud.length);
		expect(reconcileAnswers).toBeGreaterThanOrEqual(ROUNDS);
		const bound = Math.max(CLAIM_P99_MS_MAX, LOADED_MACHINE_FACTOR * quantile(quiet, 0.99));
		expect(quantile(loud, 0.99), `claim p99 with ${LOOPS} health loops (quiet p99 ${report.claimsMs.quiet.p99} ms)`).toBeLessThan(bound);
		expect(quantile(reconciling, 0.99), `claim p99 while reconciling back to back (quiet p99 ${report.claimsMs.quiet.p99} ms)`).toBeLessThan(bound);
	}, 90_000);
});
