// Plain-language labels for ledger entries and trust events, shared by /ledger and /trust.
import { MICRO_PER_CREDIT, type Holding, type LedgerEntry, type TransferReason, type TrustEvent } from '$lib/protocol';

/** Characters of a job id shown before the ellipsis (`j3f9a1c2…`). */
const JOB_ID_SHOWN = 9;

export const HOLDING_LABELS: Record<Holding, string> = {
	balance: 'Balance',
	stake: 'Stake',
	unstaking: 'Unstaking',
	redeeming: 'Redeeming',
	starter: 'Starter credits'
};

/** A reference to the job (and tile) an entry or event is about, for a link to /jobs/<id>. */
export interface WorkRef {
	jobId: string;
	jobLabel: string;
	/** The tile's index within its job, when the task id names one. */
	tile: number | null;
}

function shortJobId(jobId: string): string {
	return jobId.length > JOB_ID_SHOWN + 1 ? `${jobId.slice(0, JOB_ID_SHOWN)}…` : jobId;
}

/** Task ids are `<jobId>:<idx>`; anything else names no tile. */
function tileOf(jobId: string, taskId: string | null): number | null {
	if (!taskId || !taskId.startsWith(`${jobId}:`)) return null;
	const idx = Number(taskId.slice(jobId.length + 1));
	return Number.isSafeInteger(idx) && idx >= 0 ? idx : null;
}

export function workRef(jobId: string | null, taskId: string | null): WorkRef | null {
	if (!jobId) return null;
	return { jobId, jobLabel: shortJobId(jobId), tile: tileOf(jobId, taskId) };
}

/**
 * What an entry was for, as the words before the job link ("Payout for tile 3 of") or the whole
 * sentence when no job is involved. The sign of the amount says which way it went.
 */
export function entryWords(entry: Pick<LedgerEntry, 'reason' | 'holding' | 'amountMicro' | 'jobId' | 'taskId'>): string {
	const ref = workRef(entry.jobId, entry.taskId);
	const tile = ref?.tile !== null && ref?.tile !== undefined ? `tile ${ref.tile} of ` : '';
	const incoming = entry.amountMicro > 0;
	const words: Record<TransferReason, string> = {
		grant: 'Starter credits grant',
		mint: 'Credits issued by the operator',
		escrow: ref ? 'Budget held in escrow for' : 'Budget held in escrow',
		payout: ref ? `Payout for ${tile}` : 'Payout',
		fee: ref ? `Network fee for ${tile}` : 'Network fee',
		refund: ref ? 'Unspent budget returned from' : 'Unspent budget returned',
		stake: incoming ? 'Staked from your balance' : 'Moved into your stake',
		unstake: incoming ? 'Unstake requested (waiting to be released)' : 'Unstake requested',
		release: incoming ? 'Unstaked credits returned to your balance' : 'Unstaked credits released',
		slash: ref ? `Stake slashed for an invalid result on ${tile}` : 'Stake slashed for an invalid result',
		clawback: ref ? `Payout clawed back for ${tile}` : 'Payout clawed back',
		redeem: incoming ? 'Locked for a redemption request' : 'Set aside for a redemption request',
		'train-escrow': 'Training session budget held in escrow',
		'train-payout': 'Payout for accepted training updates',
		'train-refund': 'Unspent training budget returned'
	};
	return words[entry.reason];
}

export const TRUST_EVENT_LABELS: Record<TrustEvent['kind'], string> = {
	invalid: 'Invalid result',
	slash: 'Stake slashed',
	clawback: 'Payout clawed back',
	voided: 'Tile voided',
	dispute: 'Dispute',
	abandoned: 'Result withheld',
	'rejected-delta': 'Training update rejected'
};

/** "3 days", "2 h 5 min", "45 s": a duration for people. */
export function formatDuration(ms: number): string {
	const s = Math.max(0, Math.round(ms / 1000));
	if (s < 120) return `${s} s`;
	const min = Math.floor(s / 60);
	if (min < 120) return `${min} min`;
	const h = Math.floor(min / 60);
	if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
	const d = Math.floor(h / 24);
	return h % 24 ? `${d} days ${h % 24} h` : `${d} days`;
}

export function formatTime(at: number): string {
	return new Date(at).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

/** A fresh idempotency reference for one submission (matches the protocol's RefSchema). */
export function randomRef(prefix: string): string {
	const bytes = crypto.getRandomValues(new Uint8Array(12));
	return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Micro-credits as an exact amount to put back in an input ("12.5"), no grouping, no rounding. */
export function creditsInput(micro: number): string {
	const whole = Math.floor(micro / MICRO_PER_CREDIT);
	const frac = String(micro % MICRO_PER_CREDIT).padStart(6, '0').replace(/0+$/, '');
	return frac ? `${whole}.${frac}` : String(whole);
}
