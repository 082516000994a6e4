import type { TrustEvent } from '../../src/lib/protocol/trust.js';
import type { Sql } from '../store/db.js';

/** Adds one valid result per occurrence of a key in `keys`, in one statement. */
export async function recordValid(tx: Sql, keys: readonly string[], now: number): Promise<void> {
	if (keys.length === 0) return;
	const counts = new Map<string, number>();
	for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
	await tx.query(
		`INSERT INTO reputations (key, valid_streak, valid_total, updated_at)
		SELECT k, n, n, $3 FROM unnest($1::text[], $2::int[]) AS v (k, n)
		ON CONFLICT (key) DO UPDATE SET valid_streak = reputations.valid_streak + excluded.valid_streak,
			valid_total = reputations.valid_total + excluded.valid_total, updated_at = excluded.updated_at`,
		[[...counts.keys()], [...counts.values()], now]
	);
}

/** An invalid result: the streak starts again from zero; slashes and clawbacks add to the totals. */
export async function recordInvalid(tx: Sql, key: string, slashedMicro: number, clawedBackMicro: number, now: number): Promise<void> {
	await tx.query(
		`INSERT INTO reputations (key, valid_streak, invalid_total, slashed_micro, clawed_back_micro, updated_at) VALUES ($1, 0, 1, $2, $3, $4)
		ON CONFLICT (key) DO UPDATE SET valid_streak = 0, invalid_total = reputations.invalid_total + 1,
			slashed_micro = reputations.slashed_micro + excluded.slashed_micro,
			clawed_back_micro = reputations.clawed_back_micro + excluded.clawed_back_micro, updated_at = excluded.updated_at`,
		[key, slashedMicro, clawedBackMicro, now]
	);
}

export interface TrustEventRow {
	id: string;
	key: string;
	kind: TrustEvent['kind'];
	jobId: string | null;
	taskId: string | null;
	amountMicro: number;
	detail: string;
}

/** Records why a key's standing changed. Ids are deterministic, so a retried settlement adds nothing. */
export async function addTrustEvents(tx: Sql, events: readonly TrustEventRow[], now: number): Promise<void> {
	if (events.length === 0) return;
	const values: unknown[] = [now];
	const rows = events.map((e, i) => {
		values.push(e.id, e.key, e.kind, e.jobId, e.taskId, e.amountMicro, e.detail);
		const b = 2 + i * 7;
		return `($${b}::text, $${b + 1}::text, $${b + 2}::text, $${b + 3}::text, $${b + 4}::text, $${b + 5}::bigint, $${b + 6}::text)`;
	});
	await tx.query(
		`INSERT INTO trust_events (id, key, kind, job_id, task_id, amount_micro, detail, created_at)
		SELECT id, key, kind, job_id, task_id, amount_micro, detail, $1 FROM (VALUES ${rows.join(', ')}) AS v (id, key, kind, job_id, task_id, amount_micro, detail)
		ON CONFLICT (id) DO NOTHING`,
		values
	);
}
