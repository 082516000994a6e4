// Money for funded training sessions. The host prepays a budget into the session escrow when
// it creates the session; after each round it signs a receipt naming who contributed accepted
// updates (with the tokens the host assigned them) and who sent rejected ones, each with the
// contributor's own signed statement of its update (`updateStatement`), so a receipt can name
// only keys that took part in that round. The relay pays accepted contributions at the
// session's price, capped by what the escrow still holds, and counts rejections against the
// contributor's standing only as trust/rejected-delta.ts allows. Everything is ledger transfers
// with deterministic ids, so a retried receipt pays nothing twice; ending the session refunds
// the rest. The relay cannot check an update itself (it never runs a kernel): the host is the
// judge, as the requester whose money it is.
import { updateStatement, type TrainReceipt } from '../../src/lib/protocol/training.js';
import { DomainError } from '../domain-error.js';
import { verifyEd25519 } from '../auth/ed25519-verify.js';
import { trainEscrowAccount, transferIds } from '../ledger/account-ids.js';
import { ensureHoldings, fundEscrow, FundsShort, holdingFor, isFunding, type Funding } from '../ledger/funding.js';
import { ensureAccount, lockBalances, transferMany, type Transfer } from '../ledger/transfer.js';
import { int, type Db, type Sql } from '../store/db.js';
import { recordRejectedDeltas } from '../trust/rejected-delta.js';

/** Micro-credits a contribution of `tokens` earns at `pricePerKToken`. */
const payFor = (tokens: number, pricePerKTokenMicro: number): number => Math.floor((tokens * pricePerKTokenMicro) / 1000);

/**
 * Moves the budget from the host's starter credits or balance into the session escrow (in the
 * creating transaction) and records which paid: payouts and the refund go to that kind of holding.
 */
export async function fundSession(tx: Sql, host: string, sessionId: string, budgetMicro: number, now: number): Promise<void> {
	await ensureAccount(tx, trainEscrowAccount(sessionId), 'escrow');
	let funding: Funding;
	try {
		funding = await fundEscrow(tx, host, trainEscrowAccount(sessionId), budgetMicro, { id: transferIds.trainEscrow(sessionId), reason: 'train-escrow' }, now);
	} catch (err) {
		if (err instanceof FundsShort) throw new DomainError('insufficient_funds', `not enough credits for this budget: ${err.message}`);
		throw err;
	}
	if (funding !== 'balance') await tx.query('UPDATE train_sessions SET funding = $2 WHERE id = $1', [sessionId, funding]);
}

interface Locked {
	host: string;
	state: string;
	mode: string;
	funding: string;
	price_per_ktoken_micro: unknown;
}

const fundingOf = (row: { funding: string }): Funding => (isFunding(row.funding) ? row.funding : 'balance');

export interface SettledReceipt {
	paidMicro: number;
	replayed: boolean;
	/** Rejections that counted against a key's standing. */
	rejectionsCounted: number;
}

/**
 * Refuses a receipt that names any key without that key's own signed statement of an update
 * for this round of this session. Checked before the transaction, so a refused receipt waits for
 * no lock and writes nothing.
 */
function checkStatements(sessionId: string, receipt: TrainReceipt): void {
	for (const { worker, update } of [...receipt.accepted, ...receipt.rejected]) {
		const message = new TextEncoder().encode(updateStatement(sessionId, receipt.round, update.sha256));
		if (!verifyEd25519(worker, message, update.signature)) {
			throw new DomainError(
				'forbidden',
				`the receipt names ${worker.slice(0, 12)}… without that key's signed update for round ${receipt.round} of this session; a receipt may name only keys that took part`
			);
		}
	}
}

/** Pays one round's receipt. Replaying the same receipt is a no-op; a different one for a settled round is refused. */
export async function settleReceipt(db: Db, host: string, sessionId: string, receipt: TrainReceipt, now: number, opts: { warmupStreak: number }): Promise<SettledReceipt> {
	const rows = [...receipt.accepted.map((a) => ({ worker: a.worker, accepted: true, tokens: a.tokens })), ...receipt.rejected.map((r) => ({ worker: r.worker, accepted: false, tokens: 0 }))];
	const workers = new Set(rows.map((r) => r.worker));
	if (workers.size !== rows.length) throw new DomainError('bad_request', 'a receipt names each contributor once');
	if (workers.has(host)) throw new DomainError('bad_request', 'the host cannot pay itself');
	// Whose session it is before any signature work: a stranger's receipt costs one indexed read.
	const [owner] = await db.query<{ host: string; mode: string }>('SELECT host, mode FROM train_sessions WHERE id = $1', [sessionId]);
	if (!owner || owner.host !== host) throw new DomainError('not_found', 'no session of yours has this id');
	if (owner.mode !== 'funded') throw new DomainError('bad_request', 'a classroom session pays nothing; receipts are for funded sessions');
	checkStatements(sessionId, receipt);
	return db.transaction(async (tx) => {
		const [s] = await tx.query<Locked>('SELECT host, state, mode, funding, price_per_ktoken_micro FROM train_sessions WHERE id = $1 FOR UPDATE', [sessionId]);
		if (!s || s.host !== host) throw new DomainError('not_found', 'no session of yours has this id');
		const existing = await tx.query<{ worker: string; accepted: boolean; tokens: unknown; amount_micro: unknown }>('SELECT worker, accepted, tokens, amount_micro FROM train_receipts WHERE session_id = $1 AND round = $2', [sessionId, receipt.round]);
		if (existing.length > 0) {
			const same = existing.length === rows.length && rows.every((r) => existing.some((e) => e.worker === r.worker && e.accepted === r.accepted && int(e.tokens) === r.tokens));
			if (!same) throw new DomainError('conflict', `round ${receipt.round} was already settled with a different receipt`);
			return { paidMicro: existing.reduce((t, e) => t + int(e.amount_micro), 0), replayed: true, rejectionsCounted: 0 };
		}
		if (s.state !== 'open') throw new DomainError('job_closed', 'the session has ended');
		// A round nobody contributed to (no verdicts, or none with tokens) settles nothing; the host still sends it.
		if (rows.length === 0) return { paidMicro: 0, replayed: false, rejectionsCounted: 0 };
		const escrow = trainEscrowAccount(sessionId);
		let available = (await lockBalances(tx, [escrow])).get(escrow) ?? 0;
		const price = int(s.price_per_ktoken_micro);
		const transfers: Transfer[] = [];
		const values: unknown[] = [sessionId, receipt.round, now];
		const tuples: string[] = [];
		for (const r of rows) {
			// Pay in receipt order until the escrow runs dry: later contributions get what is left.
			const amount = r.accepted ? Math.min(available, payFor(r.tokens, price)) : 0;
			available -= amount;
			if (amount > 0) {
				await ensureHoldings(tx, fundingOf(s), [r.worker]);
				transfers.push({ id: transferIds.trainPayout(sessionId, receipt.round, r.worker), debit: escrow, credit: holdingFor(fundingOf(s), r.worker), amountMicro: amount, reason: 'train-payout' });
			}
			values.push(r.worker, r.accepted, r.tokens, amount);
			const b = values.length - 3;
			tuples.push(`($1, $2, $${b}, $${b + 1}, $${b + 2}, $${b + 3}, $3)`);
		}
		await tx.query(`INSERT INTO train_receipts (session_id, round, worker, accepted, tokens, amount_micro, created_at) VALUES ${tuples.join(', ')}`, values);
		await transferMany(tx, transfers, now);
		const paidMicro = transfers.reduce((t, x) => t + x.amountMicro, 0);
		// A rejection counts only in a round that paid for accepted work: the host spends its own
		// budget on the round it judges, so judging costs something.
		const rejectionsCounted =
			paidMicro > 0 ? await recordRejectedDeltas(tx, sessionId, receipt.round, receipt.rejected.map((r) => ({ worker: r.worker, sha256: r.update.sha256 })), opts.warmupStreak, now) : 0;
		return { paidMicro, replayed: false, rejectionsCounted };
	});
}

/** On ending a funded session, what the escrow still holds returns to the host. */
export async function refundSession(tx: Sql, host: string, sessionId: string, now: number): Promise<number> {
	const escrow = trainEscrowAccount(sessionId);
	const left = (await lockBalances(tx, [escrow])).get(escrow) ?? 0;
	const [row] = await tx.query<{ funding: string }>('SELECT funding FROM train_sessions WHERE id = $1', [sessionId]);
	const to = holdingFor(row ? fundingOf(row) : 'balance', host);
	if (left > 0) await transferMany(tx, [{ id: transferIds.trainRefund(sessionId), debit: escrow, credit: to, amountMicro: left, reason: 'train-refund' }], now);
	return left;
}
