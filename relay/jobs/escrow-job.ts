import { escrowAccount, transferIds } from '../ledger/account-ids.js';
import { fundEscrow, type Funding } from '../ledger/funding.js';
import { ensureAccount } from '../ledger/transfer.js';
import type { Sql } from '../store/db.js';

/**
 * Escrows a new job's budget (its row already inserted, in the same transaction) from the
 * requester's starter credits or balance, and records which paid: its payouts and refund go to
 * the same kind of holding (ledger/funding.ts). Throws FundsShort when neither covers it.
 */
export async function escrowJob(tx: Sql, jobId: string, requester: string, budgetMicro: number, now: number): Promise<Funding> {
	await ensureAccount(tx, escrowAccount(jobId), 'escrow');
	const funding = await fundEscrow(tx, requester, escrowAccount(jobId), budgetMicro, { id: transferIds.escrow(jobId), reason: 'escrow', jobId }, now);
	if (funding !== 'balance') await tx.query('UPDATE jobs SET funding = $2 WHERE id = $1', [jobId, funding]);
	return funding;
}
