import { LEDGER_PAGE_MAX, type Holding, type LedgerEntry, type LedgerPage, type TransferReason } from '../../src/lib/protocol/ledger.js';
import { redeemingAccount, stakeAccount, starterAccount, unstakingAccount, userAccount } from './account-ids.js';
import { int, type Sql } from '../store/db.js';

/**
 * A key's ledger entries, newest first, as seen from each of its accounts: a transfer between
 * two of the key's own accounts (a stake) shows as two entries, one out and one in.
 */
export async function entriesOf(db: Sql, key: string, before: number | null, limit = LEDGER_PAGE_MAX): Promise<LedgerPage> {
	const holdings = new Map<string, Holding>([
		[userAccount(key), 'balance'],
		[stakeAccount(key), 'stake'],
		[unstakingAccount(key), 'unstaking'],
		[redeemingAccount(key), 'redeeming'],
		[starterAccount(key), 'starter']
	]);
	const accounts = [...holdings.keys()];
	const n = Math.max(1, Math.min(LEDGER_PAGE_MAX, limit));
	// One more than asked tells whether an older page exists.
	const rows = await db.query<{ id: string; seq: unknown; created_at: unknown; debit: string; credit: string; amount_micro: unknown; reason: TransferReason; job_id: string | null; task_id: string | null }>(
		`SELECT id, seq, created_at, debit, credit, amount_micro, reason, job_id, task_id FROM transfers
		WHERE (debit = ANY($1::text[]) OR credit = ANY($1::text[])) AND ($2::bigint IS NULL OR seq < $2)
		ORDER BY seq DESC LIMIT $3`,
		[accounts, before, n + 1]
	);
	const more = rows.length > n;
	const page = rows.slice(0, n);
	const entries: LedgerEntry[] = [];
	for (const r of page) {
		const base = { transferId: r.id, seq: int(r.seq), at: int(r.created_at), reason: r.reason, jobId: r.job_id, taskId: r.task_id };
		const amount = int(r.amount_micro);
		const credited = holdings.get(r.credit);
		const debited = holdings.get(r.debit);
		if (credited) entries.push({ ...base, holding: credited, amountMicro: amount, counterparty: r.debit });
		if (debited) entries.push({ ...base, holding: debited, amountMicro: -amount, counterparty: r.credit });
	}
	const last = page.at(-1);
	return { entries, nextBefore: more && last ? int(last.seq) : null };
}
