// The contributor's side of bisection disputes: the revealed traces it keeps (bounded in count
// and time) to answer a dispute that opens when another replica reveals later, its answer to
// each round from the trace it committed to, and, when the operator trusts its key, the one step
// of each dispute it is handed to recompute.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { DisputeQuestion } from '../protocol/disputes.js';
import type { BisectTrace } from './bisect-trace.js';
import type { LoopTiming } from './contributor-loop.js';
import { short } from './labels.js';
import type { ActivityTone, Clock, ContributorEvents, ContributorHooks, ContributorRelay, RefereeSteps } from './ports.js';
import { describeError } from './relay-error.js';

export interface DisputesOptions {
	relay: ContributorRelay;
	clock: Clock;
	timing: Pick<LoopTiming, 'tracesKeptMax' | 'traceKeepMs' | 'refereePollMs'>;
	hooks: ContributorHooks;
	events: ContributorEvents;
	refereeSteps?: RefereeSteps;
	log(text: string, tone: ActivityTone): void;
}

export class Disputes {
	private readonly traces = new Map<string, { trace: BisectTrace; until: number }>();
	private refereePolledAt = 0;

	constructor(private readonly o: DisputesOptions) {}

	/** Keeps a revealed result's trace; over the bound, the oldest goes. */
	keep(leaseId: string, trace: BisectTrace): void {
		const now = this.o.clock.now();
		for (const [id, t] of this.traces) if (t.until < now) this.traces.delete(id);
		if (this.traces.size >= this.o.timing.tracesKeptMax) this.traces.delete(this.traces.keys().next().value as string);
		this.traces.set(leaseId, { trace, until: now + this.o.timing.traceKeepMs });
	}

	/** Answers this round of each dispute from the committed trace; returns how many answers the relay took. */
	async answer(questions: readonly DisputeQuestion[]): Promise<number> {
		let answered = 0;
		for (const q of questions) {
			this.o.events.questioned?.(q);
			if (this.o.hooks.answersDispute?.(q) === false) continue;
			const kept = this.traces.get(q.leaseId);
			if (!kept) {
				this.o.log(`Dispute ${short(q.disputeId)}: asked about a result this device no longer holds; it will lose on time.`, 'bad');
				continue;
			}
			// A dispute still in play keeps its trace for as long again.
			kept.until = this.o.clock.now() + this.o.timing.traceKeepMs;
			try {
				const honest = kept.trace.answer(q.index);
				const view = await this.o.relay.answerDispute(q.disputeId, this.o.hooks.answer?.(q, honest) ?? honest);
				answered++;
				this.o.events.answered?.(q);
				this.o.log(`Dispute ${short(q.disputeId)}: answered step ${q.index} (round ${view.rounds + (view.state === 'bisecting' ? 1 : 0)}).`, 'info');
			} catch (err) {
				this.o.log(`Dispute ${short(q.disputeId)}: answer failed: ${describeError(err)}`, 'bad');
			}
		}
		return answered;
	}

	/** As a trusted referee, at most every refereePollMs: recomputes each disputed step handed to this key; returns how many. */
	async referee(): Promise<number> {
		if (this.o.clock.now() - this.refereePolledAt <= this.o.timing.refereePollMs) return 0;
		this.refereePolledAt = this.o.clock.now();
		let steps = 0;
		try {
			for (const t of await this.o.relay.refereeTasks()) {
				const step = this.o.refereeSteps?.[t.kernel];
				if (!step) continue;
				const state = step(t.params, t.index, t.prior === null ? null : hexToBytes(t.prior));
				const view = await this.o.relay.refereeDispute(t.disputeId, { index: t.index, state: bytesToHex(state) });
				steps++;
				this.o.events.refereed?.(t);
				this.o.log(`Refereed dispute ${short(t.disputeId)}: step ${t.index}, ${view.winner === 'neither' ? 'neither side held' : `side ${view.winner?.toUpperCase()} won`}.`, 'info');
			}
		} catch (err) {
			this.o.log(`Refereeing failed: ${describeError(err)}`, 'bad');
		}
		return steps;
	}
}
