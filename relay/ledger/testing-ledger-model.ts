/**
 * A simple in-memory model of the ledger for the model-based tests (ledger-model.test.ts): maps
 * of balances, transfers, stakes in flight, redemptions and job escrows, and what each ledger
 * call should do to them. `predict` is pure, so the concurrent test can try commit orders.
 * `execute` runs the real ledger functions in a caller's transaction; `dbSnapshot` reads back
 * everything the model and the invariant queries look at, in the form `modelSnapshot` writes.
 */
import fc from 'fast-check';
import { AMOUNT_MICRO_MAX, QUORUM } from '../../src/lib/protocol/limits.js';
import { finishJob } from '../jobs/finish-job.js';
import { taskFeeMicro } from '../jobs/pricing.js';
import { int, pgCode, type Sql } from '../store/db.js';
import { escrowJob } from '../jobs/escrow-job.js';
import { escrowAccount, FEE_ACCOUNT, INSURANCE_ACCOUNT, MINT_ACCOUNT, redeemingAccount, stakeAccount, starterAccount, transferIds, unstakingAccount, userAccount } from './account-ids.js';
import { ensureHoldings, holdingFor, type Funding } from './funding.js';
import { grantStarter } from './starter-grants.js';
import { redemptionIdFor, requestRedemption } from './redemptions.js';
import { RefConflict, releaseDueUnstakes, requestUnstake, slash, stake, unstakeIdFor } from './stakes.js';
import { ensureAccount, InsufficientFunds, transfer, TransferConflict, transferMany, type Transfer, type TransferReason } from './transfer.js';

const KEYS = ['alice', 'bob', 'carol'] as const;
const REFS = ['r0', 'r1', 'r2'] as const;
const JOB_REFS = ['j0', 'j1'] as const;
/** The fee rate of every job the tests open. */
const FEE_BPS = 500;
/** Slashes in these tests stand for penalties outside any real job. */
const PENALTY_JOB = 'penalty';

type AccountKind = 'user' | 'escrow' | 'stake' | 'unstaking' | 'redemption' | 'mint' | 'fee' | 'insurance' | 'starter';
type FinishState = 'completed' | 'failed' | 'cancelled';

/** One ledger call with all its arguments. */
export type Op =
	| { kind: 'grant'; key: string; ref: string; amount: number }
	/** A key's one starter grant (spendable on work only, see funding.ts). */
	| { kind: 'starter'; key: string; amount: number }
	| { kind: 'stake'; key: string; ref: string; amount: number }
	| { kind: 'unstake'; key: string; ref: string; amount: number; delayMs: number }
	| { kind: 'release'; advanceMs: number; key: string | null }
	| { kind: 'slash'; key: string; taskId: string; want: number }
	| { kind: 'redeem'; key: string; ref: string; amount: number; destination: string }
	| { kind: 'open-job'; requester: string; ref: string; budget: number; prices: number[] }
	| { kind: 'pay'; jobId: string; idx: number; worker: string; price: number; funding: Funding }
	| { kind: 'finish'; jobId: string; state: FinishState }
	| { kind: 'transfer'; transfer: Transfer };

/** An amount as drawn: a number, or a share of what the account holds when the call runs. */
type AmountIntent = number | { share: number };

/** What the generators draw: an op, or a reference to state that only exists at run time. */
export type Intent =
	| Extract<Op, { kind: 'grant' } | { kind: 'starter' } | { kind: 'release' }>
	| { kind: 'stake'; key: string; ref: string; amount: AmountIntent }
	| { kind: 'unstake'; key: string; ref: string; amount: AmountIntent; delayMs: number }
	| { kind: 'slash'; key: string; taskId: string; want: AmountIntent }
	| { kind: 'redeem'; key: string; ref: string; amount: AmountIntent; destination: string }
	| { kind: 'open-job'; requester: string; ref: string; budget: AmountIntent; prices: number[] }
	| { kind: 'pay'; jobPick: number; idx: number; worker: string }
	| { kind: 'finish'; jobPick: number; state: FinishState }
	| { kind: 'replay'; pick: number }
	| { kind: 'conflict'; pick: number; delta: number; change: 'amount' | 'account' | 'reason' };

/** An intent resolved against the model: the op to run and what kind of step it is. */
export interface Step {
	op: Op;
	/** A replay of an earlier effective call: its first result, which the replay must echo. */
	replayOf?: { result: Result };
	/** The same id or ref as an earlier call with other content: must be refused. */
	conflict?: true;
}

export type Result =
	| { applied: boolean }
	| { applied: string[] }
	| { id: string; created: boolean }
	| { created: boolean }
	| { released: number }
	| { taken: number }
	| { finished: boolean };

type ErrorKind = 'InsufficientFunds' | 'TransferConflict' | 'RefConflict' | 'JobConflict' | 'invalid';
export type Outcome = { ok: true; result: Result } | { ok: false; error: ErrorKind };

interface TransferRecord {
	debit: string;
	credit: string;
	amount: number;
	reason: TransferReason;
	jobId: string | null;
	taskId: string | null;
}
interface UnstakeRecord {
	key: string;
	amount: number;
	requestedAt: number;
	releaseAt: number;
	released: { at: number; amount: number } | null;
}
interface RedemptionRecord {
	key: string;
	amount: number;
	destination: string;
}
interface JobRecord {
	requester: string;
	budget: number;
	/** Which holding paid the escrow; payouts and the refund go to the same kind. */
	funding: Funding;
	state: 'running' | FinishState;
	prices: number[];
}

/** The model. Records are never mutated in place, so a shallow copy of the maps is a snapshot. */
export interface LedgerState {
	now: number;
	accounts: Map<string, { kind: AccountKind; balance: number }>;
	transfers: Map<string, TransferRecord>;
	unstakes: Map<string, UnstakeRecord>;
	redemptions: Map<string, RedemptionRecord>;
	jobs: Map<string, JobRecord>;
	/** (task, key) → what its slash took, when it took anything. */
	slashes: Map<string, number>;
	/** Effective calls, in order, with their results: what replays and conflicts pick from. */
	history: { op: Op; result: Result }[];
	/** Credits issued so far: a test never mints past Number.MAX_SAFE_INTEGER in all. */
	minted: number;
}

const START_MS = 1_000_000;

export function emptyState(): LedgerState {
	return {
		now: START_MS,
		accounts: new Map([
			[MINT_ACCOUNT, { kind: 'mint', balance: 0 }],
			[FEE_ACCOUNT, { kind: 'fee', balance: 0 }],
			[INSURANCE_ACCOUNT, { kind: 'insurance', balance: 0 }]
		]),
		transfers: new Map(),
		unstakes: new Map(),
		redemptions: new Map(),
		jobs: new Map(),
		slashes: new Map(),
		history: [],
		minted: 0
	};
}

function cloneState(s: LedgerState): LedgerState {
	return {
		now: s.now,
		accounts: new Map(s.accounts),
		transfers: new Map(s.transfers),
		unstakes: new Map(s.unstakes),
		redemptions: new Map(s.redemptions),
		jobs: new Map(s.jobs),
		slashes: new Map(s.slashes),
		history: s.history.slice(),
		minted: s.minted
	};
}

const jobIdOf = (requester: string, ref: string): string => `job-${requester}-${ref}`;
export const taskIdOf = (jobId: string, idx: number): string => `${jobId}:${idx}`;
const slashKey = (taskId: string, key: string): string => `${taskId} ${key}`;
const validAmount = (n: number): boolean => Number.isSafeInteger(n) && n > 0 && n <= AMOUNT_MICRO_MAX;

/** The clock an op runs at: a release first moves the clock on. */
export const nowFor = (s: LedgerState, op: Op): number => s.now + (op.kind === 'release' ? op.advanceMs : 0);

// ---------------------------------------------------------------------------------------------
// Resolving intents

function paidWorkers(s: LedgerState, taskId: string): Set<string> {
	const workers = new Set<string>();
	for (const t of s.transfers.values()) if (t.reason === 'payout' && t.taskId === taskId) workers.add(t.credit.slice(t.credit.indexOf(':') + 1));
	return workers;
}

/** Mirrors an op's result on a replay: nothing is applied or created again, a slash echoes. */
export function asReplayed(result: Result): Result {
	if ('applied' in result) return { applied: Array.isArray(result.applied) ? [] : false };
	if ('id' in result) return { id: result.id, created: false };
	if ('created' in result) return { created: false };
	if ('finished' in result) return { finished: false };
	return result;
}

/** Another amount, valid and different: an existing id or ref with other content. */
const otherAmount = (amount: number, delta: number): number => (amount > delta ? amount - delta : amount + delta);

/**
 * Turns an intent into a step against the current model, or null when it does not apply (no job
 * yet, nothing to replay, a task slot that is already taken by QUORUM other workers).
 */
export function resolve(s: LedgerState, intent: Intent): Step | null {
	const of = (amount: AmountIntent, ...accounts: string[]): number =>
		typeof amount === 'number' ? amount : Math.max(1, Math.round(amount.share * accounts.reduce((sum, a) => sum + balance(s, a), 0)));
	switch (intent.kind) {
		case 'stake':
		case 'redeem':
			return { op: { ...intent, amount: of(intent.amount, userAccount(intent.key)) } };
		case 'unstake':
			return { op: { ...intent, amount: of(intent.amount, stakeAccount(intent.key)) } };
		case 'slash': {
			const held = balance(s, stakeAccount(intent.key)) + balance(s, unstakingAccount(intent.key));
			return { op: { ...intent, want: typeof intent.want === 'number' ? intent.want : Math.round(intent.want.share * held) } };
		}
		case 'open-job':
			return { op: { ...intent, budget: of(intent.budget, userAccount(intent.requester), starterAccount(intent.requester)) } };
		case 'starter':
			if (validAmount(intent.amount) && s.minted + intent.amount > Number.MAX_SAFE_INTEGER) return null;
			return { op: intent };
		case 'grant':
			// int() refuses balances past 2^53 when reading them back: keep the total issued below.
			if (validAmount(intent.amount) && s.minted + intent.amount > Number.MAX_SAFE_INTEGER) return null;
			return { op: intent };
		case 'pay': {
			const jobs = [...s.jobs.keys()];
			const jobId = jobs[intent.jobPick % Math.max(1, jobs.length)];
			const job = jobId === undefined ? undefined : s.jobs.get(jobId);
			if (!jobId || !job) return null;
			const idx = intent.idx % job.prices.length;
			const price = job.prices[idx] ?? 0;
			const paid = paidWorkers(s, taskIdOf(jobId, idx));
			// The settlement pays at most QUORUM workers per task; the ledger cannot know that.
			if (!paid.has(intent.worker) && paid.size >= QUORUM) return null;
			return { op: { kind: 'pay', jobId, idx, worker: intent.worker, price, funding: job.funding } };
		}
		case 'finish': {
			const jobs = [...s.jobs.keys()];
			const jobId = jobs[intent.jobPick % Math.max(1, jobs.length)];
			return jobId ? { op: { kind: 'finish', jobId, state: intent.state } } : null;
		}
		case 'replay': {
			const candidates: { op: Op; result: Result }[] = [...s.history];
			for (const [id, t] of s.transfers) candidates.push({ op: { kind: 'transfer', transfer: rawTransfer(id, t) }, result: { applied: true } });
			const chosen = candidates[intent.pick % Math.max(1, candidates.length)];
			return chosen ? { op: chosen.op, replayOf: { result: chosen.result } } : null;
		}
		case 'conflict': {
			const candidates: Op[] = s.history.map((h) => h.op).filter((op) => op.kind === 'grant' || op.kind === 'starter' || op.kind === 'stake' || op.kind === 'unstake' || op.kind === 'redeem');
			for (const [id, t] of s.transfers) candidates.push({ kind: 'transfer', transfer: rawTransfer(id, t) });
			const op = candidates[intent.pick % Math.max(1, candidates.length)];
			if (!op) return null;
			switch (op.kind) {
				case 'grant':
				case 'starter':
				case 'stake':
				case 'unstake':
					return { op: { ...op, amount: otherAmount(op.amount, intent.delta) }, conflict: true };
				case 'redeem':
					return {
						op: intent.change === 'amount' ? { ...op, amount: otherAmount(op.amount, intent.delta) } : { ...op, destination: `${op.destination}-elsewhere` },
						conflict: true
					};
				case 'transfer': {
					const t = op.transfer;
					const changed: Record<typeof intent.change, () => Transfer> = {
						amount: () => ({ ...t, amountMicro: otherAmount(t.amountMicro, intent.delta) }),
						account: () => ({ ...t, credit: [FEE_ACCOUNT, INSURANCE_ACCOUNT, MINT_ACCOUNT].find((a) => a !== t.debit && a !== t.credit) ?? FEE_ACCOUNT }),
						// Reasons the schema asks nothing more of (no job or task named).
						reason: () => ({ ...t, reason: t.reason === 'grant' ? 'mint' : 'grant' })
					};
					return { op: { kind: 'transfer', transfer: changed[intent.change]() }, conflict: true };
				}
				default:
					return null;
			}
		}
		case 'release':
			return { op: intent };
	}
}

const rawTransfer = (id: string, t: TransferRecord): Transfer => ({ id, debit: t.debit, credit: t.credit, amountMicro: t.amount, reason: t.reason, jobId: t.jobId, taskId: t.taskId });

// ---------------------------------------------------------------------------------------------
// The model

class Refusal extends Error {
	constructor(readonly kind: ErrorKind) {
		super(kind);
	}
}

function ensure(d: LedgerState, id: string, kind: AccountKind): void {
	if (!d.accounts.has(id)) d.accounts.set(id, { kind, balance: 0 });
}

const balance = (d: LedgerState, id: string): number => d.accounts.get(id)?.balance ?? 0;

/** transferMany: amounts checked first, then the balances, then ids already used with other content. */
function moveMany(d: LedgerState, transfers: readonly Transfer[]): string[] {
	for (const t of transfers) if (!validAmount(t.amountMicro) || t.debit === t.credit) throw new Refusal('invalid');
	const fresh: Transfer[] = [];
	const skipped: Transfer[] = [];
	for (const t of transfers) (d.transfers.has(t.id) || fresh.some((f) => f.id === t.id) ? skipped : fresh).push(t);
	const deltas = new Map<string, number>();
	for (const t of fresh) {
		deltas.set(t.debit, (deltas.get(t.debit) ?? 0) - t.amountMicro);
		deltas.set(t.credit, (deltas.get(t.credit) ?? 0) + t.amountMicro);
	}
	for (const [id, delta] of deltas) {
		const account = d.accounts.get(id);
		if (!account) throw new Error(`model: account ${id} does not exist (a test bug)`);
		if (account.kind !== 'mint' && account.balance + delta < 0) throw new Refusal('InsufficientFunds');
	}
	for (const t of skipped) {
		const earlier = fresh.find((f) => f.id === t.id);
		const p = d.transfers.get(t.id) ?? (earlier && { ...earlier, amount: earlier.amountMicro });
		if (!p || p.debit !== t.debit || p.credit !== t.credit || p.amount !== t.amountMicro || p.reason !== t.reason) throw new Refusal('TransferConflict');
	}
	for (const [id, delta] of deltas) {
		const account = d.accounts.get(id);
		if (account) d.accounts.set(id, { kind: account.kind, balance: account.balance + delta });
	}
	for (const t of fresh) {
		d.transfers.set(t.id, { debit: t.debit, credit: t.credit, amount: t.amountMicro, reason: t.reason, jobId: t.jobId ?? null, taskId: t.taskId ?? null });
	}
	return fresh.map((t) => t.id);
}

/** What `op` should do to `state`: the next state (state itself when refused) and the outcome. */
export function predict(state: LedgerState, op: Op): { state: LedgerState; outcome: Outcome } {
	const d = cloneState(state);
	d.now = nowFor(state, op);
	try {
		const result = apply(d, op);
		if (effective(result)) d.history.push({ op, result });
		return { state: d, outcome: { ok: true, result } };
	} catch (err) {
		if (err instanceof Refusal) return { state, outcome: { ok: false, error: err.kind } };
		throw err;
	}
}

/** Calls worth replaying: those that did something (a release is not idempotent, by design). */
function effective(result: Result): boolean {
	if ('applied' in result) return Array.isArray(result.applied) ? result.applied.length > 0 : result.applied;
	if ('created' in result) return result.created;
	if ('taken' in result) return result.taken > 0;
	if ('finished' in result) return result.finished;
	return false;
}

function apply(d: LedgerState, op: Op): Result {
	const now = d.now;
	switch (op.kind) {
		case 'grant': {
			ensure(d, userAccount(op.key), 'user');
			const applied = moveMany(d, [{ id: transferIds.mint(op.ref), debit: MINT_ACCOUNT, credit: userAccount(op.key), amountMicro: op.amount, reason: 'mint' }]);
			if (applied.length > 0) d.minted += op.amount;
			return { applied: applied.length > 0 };
		}
		case 'starter': {
			ensure(d, starterAccount(op.key), 'starter');
			const applied = moveMany(d, [{ id: transferIds.demoGrant(op.key), debit: MINT_ACCOUNT, credit: starterAccount(op.key), amountMicro: op.amount, reason: 'grant' }]);
			if (applied.length > 0) d.minted += op.amount;
			return { applied: applied.length > 0 };
		}
		case 'stake': {
			ensure(d, userAccount(op.key), 'user');
			ensure(d, stakeAccount(op.key), 'stake');
			const applied = moveMany(d, [{ id: transferIds.stake(op.key, op.ref), debit: userAccount(op.key), credit: stakeAccount(op.key), amountMicro: op.amount, reason: 'stake' }]);
			return { applied: applied.length > 0 };
		}
		case 'unstake': {
			const id = unstakeIdFor(op.key, op.ref);
			const existing = d.unstakes.get(id);
			if (existing) {
				if (existing.key !== op.key || existing.amount !== op.amount) throw new Refusal('RefConflict');
				return { id, created: false };
			}
			if (!validAmount(op.amount) || op.delayMs < 0) throw new Refusal('invalid');
			ensure(d, stakeAccount(op.key), 'stake');
			ensure(d, unstakingAccount(op.key), 'unstaking');
			d.unstakes.set(id, { key: op.key, amount: op.amount, requestedAt: now, releaseAt: now + op.delayMs, released: null });
			moveMany(d, [{ id: transferIds.unstake(id), debit: stakeAccount(op.key), credit: unstakingAccount(op.key), amountMicro: op.amount, reason: 'unstake' }]);
			return { id, created: true };
		}
		case 'release': {
			const due = [...d.unstakes]
				.filter(([, u]) => u.released === null && u.releaseAt <= now && (op.key === null || u.key === op.key))
				.sort(([a, u], [b, v]) => u.releaseAt - v.releaseAt || (a < b ? -1 : a > b ? 1 : 0))
				.slice(0, 100);
			const left = new Map<string, number>();
			const transfers: Transfer[] = [];
			for (const [id, u] of due) {
				const account = unstakingAccount(u.key);
				const amount = Math.min(u.amount, left.get(account) ?? balance(d, account));
				left.set(account, (left.get(account) ?? balance(d, account)) - amount);
				if (amount > 0) {
					ensure(d, userAccount(u.key), 'user');
					transfers.push({ id: transferIds.release(id), debit: account, credit: userAccount(u.key), amountMicro: amount, reason: 'release' });
				}
				d.unstakes.set(id, { ...u, released: { at: now, amount } });
			}
			moveMany(d, transfers);
			return { released: due.length };
		}
		case 'slash': {
			if (!Number.isSafeInteger(op.want) || op.want < 0) throw new Refusal('invalid');
			const done = d.slashes.get(slashKey(op.taskId, op.key));
			if (done !== undefined) return { taken: done };
			const fromStake = Math.min(op.want, balance(d, stakeAccount(op.key)));
			const fromUnstaking = Math.min(op.want - fromStake, balance(d, unstakingAccount(op.key)));
			const transfers: Transfer[] = [];
			const common = { credit: INSURANCE_ACCOUNT, reason: 'slash' as const, jobId: PENALTY_JOB, taskId: op.taskId };
			if (fromStake > 0) transfers.push({ ...common, id: transferIds.slash(op.taskId, op.key, 'stake'), debit: stakeAccount(op.key), amountMicro: fromStake });
			if (fromUnstaking > 0) transfers.push({ ...common, id: transferIds.slash(op.taskId, op.key, 'unstaking'), debit: unstakingAccount(op.key), amountMicro: fromUnstaking });
			moveMany(d, transfers);
			if (fromStake + fromUnstaking > 0) d.slashes.set(slashKey(op.taskId, op.key), fromStake + fromUnstaking);
			return { taken: fromStake + fromUnstaking };
		}
		case 'redeem': {
			const id = redemptionIdFor(op.key, op.ref);
			const existing = d.redemptions.get(id);
			if (existing) {
				if (existing.amount !== op.amount || existing.destination !== op.destination) throw new Refusal('RefConflict');
				return { id, created: false };
			}
			if (!validAmount(op.amount)) throw new Refusal('invalid');
			ensure(d, userAccount(op.key), 'user');
			ensure(d, redeemingAccount(op.key), 'redemption');
			d.redemptions.set(id, { key: op.key, amount: op.amount, destination: op.destination });
			moveMany(d, [{ id: transferIds.redeem(id), debit: userAccount(op.key), credit: redeemingAccount(op.key), amountMicro: op.amount, reason: 'redeem' }]);
			return { id, created: true };
		}
		case 'open-job': {
			const jobId = jobIdOf(op.requester, op.ref);
			const existing = d.jobs.get(jobId);
			if (existing) {
				if (existing.budget !== op.budget) throw new Refusal('JobConflict');
				return { created: false };
			}
			if (!validAmount(op.budget)) throw new Refusal('invalid');
			// Starter credits first when they cover the budget, else the balance; never both.
			const funding: Funding | null =
				balance(d, starterAccount(op.requester)) >= op.budget ? 'starter' : balance(d, userAccount(op.requester)) >= op.budget ? 'balance' : null;
			if (!funding) throw new Refusal('InsufficientFunds');
			d.jobs.set(jobId, { requester: op.requester, budget: op.budget, funding, state: 'running', prices: op.prices });
			ensure(d, escrowAccount(jobId), 'escrow');
			ensure(d, holdingFor(funding, op.requester), funding === 'starter' ? 'starter' : 'user');
			moveMany(d, [{ id: transferIds.escrow(jobId), debit: holdingFor(funding, op.requester), credit: escrowAccount(jobId), amountMicro: op.budget, reason: 'escrow', jobId }]);
			return { created: true };
		}
		case 'pay': {
			ensure(d, holdingFor(op.funding, op.worker), op.funding === 'starter' ? 'starter' : 'user');
			return { applied: moveMany(d, payTransfers(op)).sort() };
		}
		case 'finish': {
			const job = d.jobs.get(op.jobId);
			if (!job || job.state !== 'running') return { finished: false };
			d.jobs.set(op.jobId, { ...job, state: op.state });
			const left = balance(d, escrowAccount(op.jobId));
			if (left > 0) {
				moveMany(d, [{ id: transferIds.refund(op.jobId), debit: escrowAccount(op.jobId), credit: holdingFor(job.funding, job.requester), amountMicro: left, reason: 'refund', jobId: op.jobId }]);
			}
			return { finished: true };
		}
		case 'transfer':
			return { applied: moveMany(d, [op.transfer]).length > 0 };
	}
}

/** A task's payout to one worker and its fee, as the settlement pays them. */
function payTransfers(op: Extract<Op, { kind: 'pay' }>): Transfer[] {
	const price = op.price;
	const taskId = taskIdOf(op.jobId, op.idx);
	const common = { debit: escrowAccount(op.jobId), jobId: op.jobId, taskId };
	const transfers: Transfer[] = [{ ...common, id: transferIds.payout(taskId, op.worker), credit: holdingFor(op.funding, op.worker), amountMicro: price, reason: 'payout' }];
	const fee = taskFeeMicro(price, FEE_BPS);
	if (fee > 0) transfers.push({ ...common, id: transferIds.fee(taskId), credit: FEE_ACCOUNT, amountMicro: fee, reason: 'fee' });
	return transfers;
}

// ---------------------------------------------------------------------------------------------
// The real thing

/** Thrown by openJob (the test's stand-in for createJob) for a reused ref with another budget. */
class JobConflict extends Error {}

/** What createJob does in its transaction, minus kernels: the job, its escrow (the real escrowJob) and its tasks. */
async function openJob(tx: Sql, op: Extract<Op, { kind: 'open-job' }>, now: number): Promise<{ created: boolean }> {
	const jobId = jobIdOf(op.requester, op.ref);
	const [existing] = await tx.query<{ budget_micro: unknown }>('SELECT budget_micro FROM jobs WHERE id = $1', [jobId]);
	if (existing) {
		if (int(existing.budget_micro) !== op.budget) throw new JobConflict(`job ${jobId} exists with another budget`);
		return { created: false };
	}
	await tx.query(
		`INSERT INTO jobs (id, requester, client_ref, kernel, kernel_version, spec, state, tasks, budget_micro, estimate_micro, fee_bps, created_at)
		VALUES ($1, $2, $3, 'model', 1, '{}', 'running', $4, $5, 1, $6, $7)`,
		[jobId, op.requester, op.ref, op.prices.length, op.budget, FEE_BPS, now]
	);
	await escrowJob(tx, jobId, op.requester, op.budget, now);
	const values: unknown[] = [];
	const rows = op.prices.map((price, idx) => {
		values.push(taskIdOf(jobId, idx), jobId, idx, price);
		const b = idx * 4;
		return `($${b + 1}, $${b + 2}, $${b + 3}, '{}', 0, 0, 1, 1, 1, $${b + 4}, 'open', ${QUORUM})`;
	});
	await tx.query(
		`INSERT INTO tasks (id, job_id, idx, params, rect_x, rect_y, rect_w, rect_h, result_bytes, price_micro, state, replicas_wanted) VALUES ${rows.join(', ')}`,
		values
	);
	return { created: true };
}

/** Runs `op` with the real ledger functions in the caller's transaction. */
export async function execute(tx: Sql, op: Op, now: number): Promise<Result> {
	switch (op.kind) {
		case 'grant':
			await ensureAccount(tx, userAccount(op.key), 'user');
			return transfer(tx, { id: transferIds.mint(op.ref), debit: MINT_ACCOUNT, credit: userAccount(op.key), amountMicro: op.amount, reason: 'mint' }, now);
		case 'starter':
			return grantStarter(tx, op.key, op.amount, now);
		case 'stake':
			return stake(tx, op.key, op.amount, op.ref, now);
		case 'unstake':
			return requestUnstake(tx, op.key, op.amount, op.ref, op.delayMs, now);
		case 'release':
			return { released: await releaseDueUnstakes(tx, now, op.key) };
		case 'slash':
			return { taken: await slash(tx, op.key, op.want, op.taskId, PENALTY_JOB, now) };
		case 'redeem':
			return requestRedemption(tx, op.key, op.amount, op.destination, op.ref, now);
		case 'open-job':
			return openJob(tx, op, now);
		case 'pay': {
			await ensureHoldings(tx, op.funding, [op.worker]);
			const { applied } = await transferMany(tx, payTransfers(op), now);
			return { applied: [...applied].sort() };
		}
		case 'finish':
			return { finished: await finishJob(tx, op.jobId, op.state, now) };
		case 'transfer':
			return transfer(tx, op.transfer, now);
	}
}

/** A refusal as the model names it; anything else (a bug, a lost retry) is rethrown. */
function classify(err: unknown): ErrorKind {
	if (err instanceof InsufficientFunds) return 'InsufficientFunds';
	if (err instanceof TransferConflict) return 'TransferConflict';
	if (err instanceof RefConflict) return 'RefConflict';
	if (err instanceof JobConflict) return 'JobConflict';
	// A bad amount is refused by the ledger's own checks or by the schema's (a CHECK on another
	// table than accounts, bigint syntax or range): either way nothing happens.
	if (err instanceof RangeError) return 'invalid';
	const code = pgCode(err);
	if (code !== undefined && (code.startsWith('22') || code === '23514')) return 'invalid';
	throw err;
}

export async function outcomeOf(run: () => Promise<Result>): Promise<Outcome> {
	try {
		return { ok: true, result: await run() };
	} catch (err) {
		return { ok: false, error: classify(err) };
	}
}

// ---------------------------------------------------------------------------------------------
// Snapshots: everything the model and the invariant queries look at, as sorted rows

export interface Snapshot {
	accounts: string[];
	transfers: string[];
	unstakes: string[];
	redemptions: string[];
	jobs: string[];
	tasks: string[];
	reputations: string[];
}

/** One row as the snapshot query writes it: fields joined by |, NULL as ~. */
const row = (...fields: (string | number | null)[]): string => fields.map((f) => (f === null ? '~' : String(f))).join('|');

export function modelSnapshot(s: LedgerState): Snapshot {
	return {
		accounts: [...s.accounts].map(([id, a]) => row(id, a.kind, a.balance)).sort(),
		transfers: [...s.transfers].map(([id, t]) => row(id, t.debit, t.credit, t.amount, t.reason, t.jobId, t.taskId)).sort(),
		unstakes: [...s.unstakes].map(([id, u]) => row(id, u.key, u.amount, u.requestedAt, u.releaseAt, u.released?.at ?? null, u.released?.amount ?? null)).sort(),
		redemptions: [...s.redemptions].map(([id, r]) => row(id, r.key, r.amount, r.destination, 'requested')).sort(),
		jobs: [...s.jobs].map(([id, j]) => row(id, j.requester, j.state, j.budget, j.funding)).sort(),
		tasks: [...s.jobs].flatMap(([id, j]) => j.prices.map((price, idx) => row(taskIdOf(id, idx), id, price))).sort(),
		reputations: []
	};
}

/** Every column the model or an invariant query reads, a row per line tagged with its table. */
const SNAPSHOT_SQL = `SELECT 'accounts' AS t, id || '|' || kind || '|' || balance_micro AS r FROM accounts
	UNION ALL SELECT 'transfers', id || '|' || debit || '|' || credit || '|' || amount_micro || '|' || reason || '|' || coalesce(job_id, '~') || '|' || coalesce(task_id, '~') FROM transfers
	UNION ALL SELECT 'unstakes', id || '|' || key || '|' || amount_micro || '|' || requested_at || '|' || release_at || '|' || coalesce(released_at::text, '~') || '|' || coalesce(released_micro::text, '~') FROM unstakes
	UNION ALL SELECT 'redemptions', id || '|' || key || '|' || amount_micro || '|' || destination || '|' || state FROM redemptions
	UNION ALL SELECT 'jobs', id || '|' || requester || '|' || state || '|' || budget_micro || '|' || funding FROM jobs
	UNION ALL SELECT 'tasks', id || '|' || job_id || '|' || price_micro FROM tasks
	UNION ALL SELECT 'reputations', key || '|' || slashed_micro || '|' || clawed_back_micro FROM reputations`;

export async function dbSnapshot(db: Sql): Promise<Snapshot> {
	const snapshot: Snapshot = { accounts: [], transfers: [], unstakes: [], redemptions: [], jobs: [], tasks: [], reputations: [] };
	for (const { t, r } of await db.query<{ t: keyof Snapshot; r: string }>(SNAPSHOT_SQL)) snapshot[t].push(r);
	for (const rows of Object.values(snapshot)) rows.sort();
	return snapshot;
}

/**
 * Empties what the calls write, in one statement, leaving the accounts the migrations create at
 * zero (the calls never touch leases, results or trust events).
 */
export async function resetLedger(db: Sql): Promise<void> {
	await db.query(
		`WITH t AS (DELETE FROM tasks), j AS (DELETE FROM jobs), x AS (DELETE FROM transfers), u AS (DELETE FROM unstakes),
			d AS (DELETE FROM redemptions), p AS (DELETE FROM reputations), a AS (DELETE FROM accounts WHERE id NOT IN ('mint', 'fee', 'insurance'))
		UPDATE accounts SET balance_micro = 0 WHERE id IN ('mint', 'fee', 'insurance')`
	);
}

// ---------------------------------------------------------------------------------------------
// Generators

/** Alice is busiest, so her stakes, unstakes and slashes pile up within one short sequence. */
const key = fc.oneof({ weight: 4, arbitrary: fc.constant(KEYS[0]) }, { weight: 2, arbitrary: fc.constant(KEYS[1]) }, { weight: 1, arbitrary: fc.constant(KEYS[2]) });
const ref = fc.constantFrom(...REFS);
/** Refused amounts: zero, negative, fractional, not a number, past the cap, past 2^53, past int8. */
const BAD_AMOUNTS = [0, -1, -1000, 0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, AMOUNT_MICRO_MAX + 1, Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 63, 1e20];
const badAmount = fc.constantFrom(...BAD_AMOUNTS);
/**
 * Mostly a share of the balance (past 1 is an overdraft), sometimes a fixed or a refused amount.
 * Values come from small sets: the ledger only compares amounts, and states that recur across
 * sequences need their invariant queries run once.
 */
const amount: fc.Arbitrary<AmountIntent> = fc.oneof(
	{ weight: 6, arbitrary: fc.record({ share: fc.constantFrom(0.1, 0.25, 0.5, 1, 1.5) }) },
	{ weight: 2, arbitrary: fc.constantFrom(1, 100, 1000, 3000) },
	{ weight: 1, arbitrary: badAmount }
);
const grantAmount = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(1, 500, 2000, 20_000) }, { weight: 1, arbitrary: badAmount }, { weight: 1, arbitrary: fc.constant(AMOUNT_MICRO_MAX) });
/** What a slash asks for: a share of the stake and unstaking credits (past 1 is more than there is). */
const want: fc.Arbitrary<AmountIntent> = fc.oneof(
	{ weight: 6, arbitrary: fc.record({ share: fc.constantFrom(0, 0.25, 0.5, 1, 2) }) },
	{ weight: 2, arbitrary: fc.constantFrom(0, 1, 1000) },
	{ weight: 1, arbitrary: fc.constantFrom(AMOUNT_MICRO_MAX, 5 * AMOUNT_MICRO_MAX, Number.MAX_SAFE_INTEGER) },
	{ weight: 1, arbitrary: fc.constantFrom(-1, 0.5, Number.NaN, 2 ** 53) }
);

/**
 * A sequence's opening, so that a few more calls reach deep states: a grant or two, maybe a
 * stake of part of them and unstakes of part of that (still slashable while they wait), all on
 * the busiest key so that later calls on it meet them.
 */
export const fundingArbitrary: fc.Arbitrary<Intent[]> = fc
	.tuple(
		fc.array(
			fc.oneof(
				fc.record({ kind: fc.constant('grant' as const), key, ref: fc.constantFrom('f0', 'f1'), amount: fc.constantFrom(1000, 5000, 20_000, 50_000) }),
				fc.record({ kind: fc.constant('starter' as const), key, amount: fc.constantFrom(1000, 5000, 50_000) })
			),
			{ minLength: 1, maxLength: 2 }
		),
		fc.option(fc.record({ key: fc.constant(KEYS[0]), share: fc.constantFrom(0.25, 0.5, 0.9), unstakes: fc.array(fc.record({ share: fc.constantFrom(0.5, 1), delayMs: fc.constantFrom(0, 1000) }), { maxLength: 2 }) }), {
			nil: null
		})
	)
	.map(([grants, staking]): Intent[] => [
		...grants,
		...(staking ? [{ kind: 'stake' as const, key: staking.key, ref: 'f0', amount: { share: staking.share } }] : []),
		...(staking?.unstakes ?? []).map((u, i) => ({ kind: 'unstake' as const, key: KEYS[0], ref: `f${i}`, amount: { share: u.share }, delayMs: u.delayMs }))
	]);

/**
 * Intents for the calls. `concurrent` leaves out what would not commute with the clock one batch
 * shares: releases that move it, unstakes that fall due at once.
 */
export function intentArbitrary(opts: { concurrent: boolean }): fc.Arbitrary<Intent> {
	const delayMs = opts.concurrent ? fc.constantFrom(1000, 5000) : fc.constantFrom(0, 1000, 5000);
	const advanceMs = opts.concurrent ? fc.constant(0) : fc.constantFrom(0, 1000, 6000);
	return fc.oneof(
		{ weight: 3, arbitrary: fc.record({ kind: fc.constant('grant' as const), key, ref, amount: grantAmount }) },
		{ weight: 3, arbitrary: fc.record({ kind: fc.constant('starter' as const), key, amount: grantAmount }) },
		{ weight: 4, arbitrary: fc.record({ kind: fc.constant('stake' as const), key, ref, amount }) },
		{ weight: 4, arbitrary: fc.record({ kind: fc.constant('unstake' as const), key, ref, amount, delayMs }) },
		{ weight: 4, arbitrary: fc.record({ kind: fc.constant('release' as const), advanceMs, key: fc.option(key, { nil: null }) }) },
		{ weight: 4, arbitrary: fc.record({ kind: fc.constant('slash' as const), key, taskId: fc.constantFrom('bad-0', 'bad-1'), want }) },
		{ weight: 2, arbitrary: fc.record({ kind: fc.constant('redeem' as const), key, ref, amount, destination: fc.constantFrom('iban:1', 'iban:2') }) },
		{
			weight: 4,
			arbitrary: fc.record({
				kind: fc.constant('open-job' as const),
				requester: key,
				ref: fc.constantFrom(...JOB_REFS),
				budget: amount,
				prices: fc.array(fc.constantFrom(1, 300, 1000), { minLength: 1, maxLength: 2 })
			})
		},
		{ weight: 6, arbitrary: fc.record({ kind: fc.constant('pay' as const), jobPick: fc.nat(), idx: fc.nat(), worker: key }) },
		{ weight: 2, arbitrary: fc.record({ kind: fc.constant('finish' as const), jobPick: fc.nat(), state: fc.constantFrom('completed' as const, 'failed' as const, 'cancelled' as const) }) },
		{ weight: 4, arbitrary: fc.record({ kind: fc.constant('replay' as const), pick: fc.nat() }) },
		{ weight: 3, arbitrary: fc.record({ kind: fc.constant('conflict' as const), pick: fc.nat(), delta: fc.constantFrom(1, 7), change: fc.constantFrom('amount' as const, 'account' as const, 'reason' as const) }) }
	);
}

const numbers = (_: string, v: unknown): unknown => (typeof v === 'number' && !Number.isSafeInteger(v) ? String(v) : v);

export function describeStep(step: Step): string {
	const { op } = step;
	const tag = step.replayOf ? 'replay ' : step.conflict ? 'conflicting ' : '';
	const body = op.kind === 'transfer' ? `transfer ${JSON.stringify(op.transfer, numbers)}` : JSON.stringify(op, numbers);
	return tag + body;
}

export function describeIntent(intent: Intent): string {
	return JSON.stringify(intent, numbers);
}
