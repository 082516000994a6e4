import { stakeAccount } from '../ledger/account-ids.js';
import { int, type Sql } from '../store/db.js';

/** What the claim statement needs to know about a key before it hands out work. */
export interface Standing {
	validStreak: number;
	invalidTotal: number;
	stakeMicro: number;
	trusted: boolean;
	/** Some key has warmed up (a streak of at least the warm-up), so new keys can be paired with it. */
	provenKeysExist: boolean;
}

export async function standingOf(db: Sql, key: string, warmupStreak: number): Promise<Standing> {
	const [row] = await db.query<{ valid_streak: unknown; invalid_total: unknown; stake: unknown; trusted: boolean; proven: boolean }>(
		`SELECT coalesce(r.valid_streak, 0) AS valid_streak, coalesce(r.invalid_total, 0) AS invalid_total,
			coalesce((SELECT balance_micro FROM accounts WHERE id = $2), 0) AS stake,
			EXISTS (SELECT 1 FROM trusted_keys WHERE key = $1) AS trusted,
			EXISTS (SELECT 1 FROM reputations WHERE valid_streak >= $3) AS proven
		FROM (SELECT 1) one LEFT JOIN reputations r ON r.key = $1`,
		[key, stakeAccount(key), warmupStreak]
	);
	return {
		validStreak: int(row?.valid_streak ?? 0),
		invalidTotal: int(row?.invalid_total ?? 0),
		stakeMicro: int(row?.stake ?? 0),
		trusted: row?.trusted === true,
		provenKeysExist: row?.proven === true
	};
}
