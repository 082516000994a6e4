// What a funded session's host can do to a contributor's standing by rejecting its update. The
// rejection is backed by the contributor's own signature (it took part), it counts only in a
// round whose receipt paid accepted work from the host's budget, at most once per session and
// key, and it halves the key's valid streak without taking a proven key below the warm-up: the
// key is spot-checked more often but stays proven, so no host can switch off the pairing rule by
// rejecting every proven key, and no stranger can be named at all.
import type { Sql } from '../store/db.js';

export interface Rejection {
	worker: string;
	/** SHA-256 of the update the contributor signed. */
	sha256: string;
}

/**
 * Records the counted rejections of one receipt: a public trust event per (session, key), and
 * the streak halved (never below `warmupStreak` for a key at or above it) for keys whose event
 * is new. Returns how many counted. Retries add nothing (the event ids are deterministic).
 */
export async function recordRejectedDeltas(tx: Sql, sessionId: string, round: number, rejected: readonly Rejection[], warmupStreak: number, now: number): Promise<number> {
	if (rejected.length === 0) return 0;
	const fresh = await tx.query<{ key: string }>(
		`INSERT INTO trust_events (id, key, kind, job_id, task_id, amount_micro, detail, created_at)
		SELECT v.id, v.key, 'rejected-delta', NULL, NULL, 0, v.detail, $1 FROM unnest($2::text[], $3::text[], $4::text[]) AS v (id, key, detail)
		ON CONFLICT (id) DO NOTHING RETURNING key`,
		[
			now,
			rejected.map((r) => `rejected-delta:${sessionId}:${r.worker}`),
			rejected.map((r) => r.worker),
			rejected.map((r) => `training update ${r.sha256.slice(0, 12)}… for round ${round} of session ${sessionId.slice(0, 8)} rejected by the host's checks; valid streak halved (a proven key stays proven)`)
		]
	);
	if (fresh.length === 0) return 0;
	await tx.query(
		`UPDATE reputations SET valid_streak = CASE WHEN valid_streak >= $2 THEN greatest($2, valid_streak / 2) ELSE valid_streak / 2 END, updated_at = $3
		WHERE key = ANY($1::text[])`,
		[fresh.map((r) => r.key), warmupStreak, now]
	);
	return fresh.length;
}
