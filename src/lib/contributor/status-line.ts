// The one line a contributor shows: why work is not running, or what it is doing. The page's
// end-to-end tests read these words, so every host says them the same way.
import type { LeaseLimit } from '../protocol/leases.js';

export type ContributorState = 'idle' | 'starting' | 'running' | 'stopping';

export interface StatusFacts {
	state: ContributorState;
	offline: boolean;
	/** Computed results not yet accepted or refused by the relay. */
	unsent: number;
	/** Prefetched tasks not computed yet. */
	prefetched: number;
	/** Why the gate holds new work back, or null. */
	gateReason: string | null;
	/** Workers computing now, and resting for the CPU share after a task. */
	busy: number;
	resting: number;
	/** The host is timing its kernels before the first task. */
	measuring: boolean;
	/** The CPU share in force, and whether it is capped because other work loads the CPU. */
	effectiveShare: number;
	backingOff: boolean;
	/** The last claim found nothing to do; `claimLimit` says which bound held it back, if one did. */
	noWork: boolean;
	claimLimit: LeaseLimit | null;
	/** Committed results waiting for the other replicas. */
	awaitingReveal: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function statusLine(f: StatusFacts): string {
	const unsent = f.unsent > 0 ? `${plural(f.unsent, 'result')} waiting to upload` : '';
	if (f.offline) return `offline: ${unsent || 'nothing waiting to upload'}${f.prefetched > 0 ? `; computing ${plural(f.prefetched, 'prefetched task')}` : ''}`;
	if (f.state === 'idle') return unsent ? `not contributing: ${unsent}` : 'not contributing';
	if (f.state === 'starting') return 'starting the workers';
	if (f.state === 'stopping') return 'leaving';
	const reason = f.gateReason;
	if (reason && f.busy > 0) return `${reason} after the current task${f.busy === 1 ? '' : 's'}`;
	if (reason) return reason;
	if (f.measuring) return 'measuring this device: timing each kernel on WebGPU and on the CPU twin';
	const extra = unsent ? `; ${unsent}` : '';
	const tasks = f.busy > 0 ? `computing ${plural(f.busy, 'task')}` : f.resting > 0 ? `resting between tasks (CPU share ${f.effectiveShare}%)` : '';
	if (f.backingOff) return `backing off: other work keeps the CPU under critical pressure (CPU share ${f.effectiveShare}%)${tasks ? `; ${tasks}` : ''}`;
	if (tasks) return tasks + extra;
	// Between two tasks of a stream of work: the next one is being fetched.
	if (!f.noWork) return `computing: fetching the next task${extra}`;
	// Held back by a bound, not by a lack of work: say which.
	if (f.claimLimit) return `not taking more work: ${f.claimLimit.message}${extra}`;
	if (f.awaitingReveal > 0) return `waiting for another device to finish ${plural(f.awaitingReveal, 'task')} this device computed (each needs two devices)`;
	return `waiting for work: no open tasks right now${extra}`;
}
