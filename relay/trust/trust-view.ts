import { TRUST_EVENTS_MAX, type Trust, type TrustEvent } from '../../src/lib/protocol/trust.js';
import { int, type Sql } from '../store/db.js';
import { spotCheckProbability } from './policy.js';

/** A key's reputation, the spot-check rate it currently gets, and why its standing changed. */
export async function trustOf(db: Sql, key: string, warmupStreak: number): Promise<Trust> {
	const [rep] = await db.query<{ valid_streak: unknown; valid_total: unknown; invalid_total: unknown; slashed_micro: unknown; clawed_back_micro: unknown }>(
		'SELECT valid_streak, valid_total, invalid_total, slashed_micro, clawed_back_micro FROM reputations WHERE key = $1',
		[key]
	);
	const events = await db.query<{ id: string; created_at: unknown; kind: TrustEvent['kind']; job_id: string | null; task_id: string | null; amount_micro: unknown; detail: string }>(
		`SELECT id, created_at, kind, job_id, task_id, amount_micro, detail FROM trust_events WHERE key = $1 ORDER BY seq DESC LIMIT ${TRUST_EVENTS_MAX}`,
		[key]
	);
	const streak = rep ? int(rep.valid_streak) : 0;
	return {
		key,
		validStreak: streak,
		validTotal: rep ? int(rep.valid_total) : 0,
		invalidTotal: rep ? int(rep.invalid_total) : 0,
		spotCheckProbability: spotCheckProbability(streak, warmupStreak),
		replicatedUntilStreak: warmupStreak,
		slashedMicro: rep ? int(rep.slashed_micro) : 0,
		clawedBackMicro: rep ? int(rep.clawed_back_micro) : 0,
		events: events.map((e) => ({
			id: e.id,
			at: int(e.created_at),
			kind: e.kind,
			jobId: e.job_id,
			taskId: e.task_id,
			amountMicro: int(e.amount_micro),
			detail: e.detail
		}))
	};
}
