// What a scenario did, read from the relay's own database after it stopped, with the truth
// recomputed independently: every accepted task's honest result from the CPU twins.
import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { computeTileCpu } from '../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../src/lib/kernels/mandelbrot/meta.js';
import { honestTrace } from '../relay/testing/mc-pi-traces.js';
import { openDb } from '../relay/store/open-db.js';
import { int } from '../relay/store/db.js';

export interface ScenarioMetrics {
	tasksAccepted: number;
	wrongAccepted: number;
	wrongAcceptedRate: number;
	tasksVoided: number;
	honestSlashed: number;
	honestInvalid: number;
	overhead: number;
	cheaterKeys: number;
	cheatersCaught: number;
	detectionLatencyTasks: { mean: number | null; max: number | null };
	disputes: number;
	disputesRefereed: number;
	disputesTimedOut: number;
	/** Refereed disputes that took exactly ⌈log₂ T⌉ rounds and one referee step. */
	disputesLogRounds: number;
	disputeRounds: number[];
	disputeWinners: Record<string, number>;
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function honestHash(kernel: string, params: unknown): string {
	if (kernel === 'mc-pi') return sha(honestTrace(params).final);
	return sha(computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, params)));
}

const parse = (p: unknown) => (typeof p === 'string' ? JSON.parse(p) : p);

/**
 * Measures the jobs created at or after `since` (the scenario's own). Work executed counts every
 * result the relay stored and each referee step as 1/T of its task; useful work is the
 * correctly accepted tasks; both in task price units.
 */
export async function measure(
	dataDir: string,
	since: number,
	honestKeys: ReadonlySet<string>,
	cheaterKeys: ReadonlySet<string>,
	explain: ((line: string) => void) | null = null
): Promise<ScenarioMetrics> {
	const db = await openDb({ databaseUrl: null, dataDir });
	try {
		const scoped = `t.job_id IN (SELECT id FROM jobs WHERE created_at >= ${Math.floor(since)})`;
		const accepted = await db.query<{ id: string; kernel: string; params: unknown; accepted_hash: string; price_micro: unknown; single_worker: string | null }>(
			`SELECT t.id, j.kernel, t.params, t.accepted_hash, t.price_micro, t.single_worker FROM tasks t JOIN jobs j ON j.id = t.job_id WHERE t.state = 'accepted' AND ${scoped}`
		);
		let wrong = 0;
		let useful = 0;
		const role = (k: string | null) => (k === null ? '-' : honestKeys.has(k) ? 'honest' : cheaterKeys.has(k) ? 'cheater' : 'referee');
		for (const t of accepted) {
			const truth = honestHash(t.kernel, parse(t.params));
			if (truth === t.accepted_hash) {
				useful += int(t.price_micro);
				continue;
			}
			wrong++;
			if (explain && wrong <= 5) {
				const rs = await db.query<{ worker: string; sha256: string; verdict: string }>('SELECT worker, sha256, verdict FROM results WHERE task_id = $1 ORDER BY seq', [t.id]);
				const ds = await db.query<{ winner: string; reason: string }>('SELECT winner, reason FROM disputes WHERE task_id = $1', [t.id]);
				explain(`wrong ${t.kernel} task ${t.id} single=${role(t.single_worker)} results=${rs.map((r) => `${role(r.worker)}:${r.verdict}:${r.sha256 === truth ? 'true' : 'false'}`).join(',')} disputes=${JSON.stringify(ds)}`);
			}
		}
		const [work] = await db.query<{ results: unknown; voided: unknown }>(
			`SELECT (SELECT coalesce(sum(t.price_micro), 0) FROM results r JOIN tasks t ON t.id = r.task_id WHERE ${scoped}) AS results,
				(SELECT count(*) FROM tasks t WHERE t.state = 'voided' AND ${scoped}) AS voided`
		);
		const disputes = await db.query<{ worker_a: string; worker_b: string; steps: unknown; rounds: unknown; state: string; winner: string | null; reason: string | null; price_micro: unknown }>(
			`SELECT d.worker_a, d.worker_b, d.steps, d.rounds, d.state, d.winner, d.reason, t.price_micro FROM disputes d JOIN tasks t ON t.id = d.task_id WHERE ${scoped}`
		);
		const refereed = disputes.filter((d) => d.reason?.startsWith('the referee'));
		const honestLost = (d: (typeof disputes)[number]) => d.winner === 'neither' || (d.winner === 'a' ? honestKeys.has(d.worker_b) : d.winner === 'b' ? honestKeys.has(d.worker_a) : false);
		if (explain) for (const d of disputes.filter(honestLost).slice(0, 8)) explain(`dispute a=${role(d.worker_a)} b=${role(d.worker_b)} rounds=${int(d.rounds)}/${int(d.steps)} winner=${d.winner}: ${d.reason}`);
		const refereeWork = refereed.reduce((s, d) => s + int(d.price_micro) / int(d.steps), 0);
		// Withheld commitments are not counted: a copier that withholds computed nothing.
		const executed = int(work?.results ?? 0) + refereeWork;
		const reputations = await db.query<{ key: string; invalid_total: unknown; slashed_micro: unknown }>('SELECT key, invalid_total, slashed_micro FROM reputations');
		const honestRep = reputations.filter((r) => honestKeys.has(r.key));
		const latencies: number[] = [];
		for (const key of cheaterKeys) {
			const [first] = await db.query<{ n: unknown }>(
				`WITH caught AS (SELECT min(r.seq) AS seq FROM trust_events e JOIN results r ON r.task_id = e.task_id AND r.worker = e.key
					WHERE e.key = $1 AND e.kind = 'invalid')
				SELECT count(*) AS n FROM results r JOIN tasks t ON t.id = r.task_id, caught
				WHERE caught.seq IS NOT NULL AND r.worker = $1 AND r.seq <= caught.seq AND ${scoped}`,
				[key]
			);
			const n = int(first?.n ?? 0);
			if (n > 0) latencies.push(n);
		}
		const winners: Record<string, number> = {};
		for (const d of disputes) winners[d.winner ?? d.state] = (winners[d.winner ?? d.state] ?? 0) + 1;
		return {
			tasksAccepted: accepted.length,
			wrongAccepted: wrong,
			wrongAcceptedRate: accepted.length === 0 ? 0 : wrong / accepted.length,
			tasksVoided: int(work?.voided ?? 0),
			honestSlashed: honestRep.filter((r) => int(r.slashed_micro) > 0).length,
			honestInvalid: honestRep.filter((r) => int(r.invalid_total) > 0).length,
			overhead: useful === 0 ? 0 : executed / useful,
			cheaterKeys: cheaterKeys.size,
			cheatersCaught: latencies.length,
			detectionLatencyTasks: {
				mean: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : null,
				max: latencies.length ? Math.max(...latencies) : null
			},
			disputes: disputes.length,
			disputesRefereed: refereed.length,
			disputesTimedOut: disputes.filter((d) => d.reason?.includes('in time')).length,
			disputesLogRounds: refereed.filter((d) => int(d.rounds) === Math.ceil(Math.log2(int(d.steps)))).length,
			disputeRounds: [...new Set(refereed.map((d) => int(d.rounds)))].sort((a, b) => a - b),
			disputeWinners: winners
		};
	} finally {
		await db.close();
	}
}
