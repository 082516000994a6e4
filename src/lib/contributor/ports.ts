// What differs between the hosts of the contributor loop (the browser page, a Node process, the
// cheater and liveness simulators), injected into contributor-loop.ts. Each port is as narrow as
// the loop's use of it, so any relay client, compute engine or store can stand behind it.
import type { Receipt, UnsignedReceipt } from '../protocol/auth.js';
import type { Backend, Device } from '../protocol/devices.js';
import type { DisputeAnswer, DisputeQuestion, DisputeView, RefereeAnswer, RefereeTask } from '../protocol/disputes.js';
import type { ClaimRequest, ClaimResponse, Lease, SubmitResponse } from '../protocol/leases.js';
import type { StoredResult } from './stored-result.js';

/**
 * The relay calls the loop makes. A call that fails rejects with an error whose `code` is the
 * relay's error code (`stake_required`, `lease_expired`, `reveal_not_open`…) or `network` when
 * no answer came (relay-error.ts reads it).
 */
export interface ContributorRelay {
	/** POST /leases: commits finished results, leases up to `maxTasks`, lists the open reveals and dispute questions. */
	claim(request: ClaimRequest, signal?: AbortSignal): Promise<ClaimResponse>;
	heartbeat(leaseId: string): Promise<unknown>;
	/** POST /results/:leaseId: the committed bytes, their signed receipt and salt (and a bisect trace's root and final proof). */
	reveal(leaseId: string, reveal: Reveal): Promise<SubmitResponse>;
	answerDispute(disputeId: string, answer: DisputeAnswer): Promise<Pick<DisputeView, 'rounds' | 'state'>>;
	/** The steps this key is to recompute as a trusted referee. */
	refereeTasks(): Promise<readonly RefereeTask[]>;
	refereeDispute(disputeId: string, answer: RefereeAnswer): Promise<Pick<DisputeView, 'winner'>>;
	/** The operator's trusted referee keys. */
	trustedKeys(): Promise<readonly string[]>;
}

interface Reveal {
	bytes: Uint8Array;
	/** encodeReceiptHeader(receipt) */
	receiptHeader: string;
	salt: string;
	bisect?: { merkleRoot: string; finalProof: string[] };
}

/** The key that signs receipts (request signatures are the relay port's business). */
export interface ReceiptSigner {
	readonly publicKeyHex: string;
	signReceipt(unsigned: UnsignedReceipt): Promise<Receipt>;
}

/** A task's output: the result bytes, and for `bisect` kernels every step's state (`stateBytes` each, concatenated). */
export interface Computed {
	bytes: Uint8Array;
	states: Uint8Array | null;
	stateBytes: number;
	/** Where it ran. */
	backend: Backend;
}

export interface ContributorCompute {
	/** Runs once per start, when the gate first opens, before the first claim (the browser times its kernels here). */
	prepare?(): Promise<void>;
	/** What each claim says about this device. */
	profile(): { backend: Backend; device: Device | null };
	/** Computes one task on worker `slot`; rejects (an AbortError, or anything once `signal` aborted) when aborted. */
	compute(slot: number, lease: Lease, signal: AbortSignal): Promise<Computed>;
}

/** Durable prefetched leases and finished results (the browser's IndexedDB work store, memory-work-store.ts in Node). */
export interface ContributorStore {
	/** Prefetched leases not yet computed, oldest first (lapsed ones dropped). */
	prefetched(now: number): Promise<Lease[]>;
	addPrefetched(leases: readonly Lease[], now: number): Promise<void>;
	removePrefetched(leaseId: string): Promise<void>;
	results(): Promise<StoredResult[]>;
	putResult(result: StoredResult): Promise<void>;
	/** Stores a prefetched lease's result and forgets the lease at once (a crash leaves one or the other). */
	finishPrefetched(result: StoredResult): Promise<void>;
	deleteResult(leaseId: string): Promise<void>;
}

export interface Clock {
	now(): number;
	/** Resolves after `ms`, or at once when `signal` aborts. */
	sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Where work waits between tasks (work-gate.ts; reactive in the browser). */
export interface Gate {
	readonly open: boolean;
	readonly reason: string | null;
	wait(signal: AbortSignal): Promise<void>;
}

/** Each bisect kernel's one-step recomputation, for when this key referees: the state after step `index` from `prior`. */
export type RefereeSteps = Readonly<Record<string, (params: unknown, index: number, prior: Uint8Array | null) => Uint8Array>>;

/**
 * Where a host changes what an honest device does: the cheater simulator's behaviours and the
 * browser's lying-worker test hook. Every hook is optional; without them the loop is honest.
 */
export interface ContributorHooks {
	/** The result to commit to. `compute` runs the real computation (lazily: a copier never calls it). */
	produce?(lease: Lease, compute: () => Promise<Computed>): Promise<Computed>;
	/** Just before a reveal opens: the bytes to reveal (a copier's copy: the receipt is signed over them), or null to withhold. */
	reveal?(lease: Lease, bytes: Uint8Array): Promise<Uint8Array | null>;
	/** Whether to answer this dispute round at all (a silent cheater does not). */
	answersDispute?(question: DisputeQuestion): boolean;
	/** The answer to send instead of the committed trace's. */
	answer?(question: DisputeQuestion, honest: DisputeAnswer): DisputeAnswer;
	/** The relay refused new work for want of a probation stake: keep answering disputes (the default) or stop (a Sybil that starts over). */
	onShutOut?(reason: string): 'probation' | 'stop';
}

export type ActivityTone = 'info' | 'good' | 'bad';

/** Why a held result left the outbox without an upload. */
type DropReason = 'refused' | 'expired' | 'withheld' | 'failed';

/**
 * What the loop reports as it goes, for status lines, counters and simulators' tallies. `change`
 * fires after any field of the loop's view changed (the Svelte wrapper copies them into state).
 */
export interface ContributorEvents {
	change?(): void;
	log?(text: string, tone: ActivityTone): void;
	/** A claim came back (for measuring the gaps between claims). */
	claimed?(response: ClaimResponse, offline: boolean): void;
	/** A claim failed (offline, or refused for anything but a missing probation stake: that is `shutOut`). */
	claimFailed?(err: unknown): void;
	leased?(leases: readonly Lease[], offline: boolean): void;
	uploaded?(lease: Lease, response: SubmitResponse): void;
	uploadFailed?(lease: Lease, code: string | null, message: string): void;
	dropped?(lease: Lease, reason: DropReason): void;
	/** A dispute question came in (answered or not). */
	questioned?(question: DisputeQuestion): void;
	answered?(question: DisputeQuestion): void;
	refereed?(task: RefereeTask): void;
	shutOut?(reason: string): void;
}
