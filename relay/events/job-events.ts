import type { Response } from 'express';
import type { JobEvent } from '../../src/lib/protocol/jobs.js';
import { SSE_STREAMS_PER_JOB_MAX } from '../../src/lib/protocol/limits.js';
import { rateLimited } from '../domain-error.js';

/**
 * Live job progress as server-sent events. Events are published after the transaction that
 * caused them commits, so a client never sees progress that could still roll back.
 */
export class JobEvents {
	private readonly streams = new Map<string, Set<Response>>();

	subscribe(jobId: string, res: Response): () => void {
		let set = this.streams.get(jobId);
		if (!set) this.streams.set(jobId, (set = new Set()));
		if (set.size >= SSE_STREAMS_PER_JOB_MAX) {
			throw rateLimited(`this job already has ${SSE_STREAMS_PER_JOB_MAX} live event streams open, the most the relay allows; try again later`, 10_000);
		}
		set.add(res);
		return () => {
			set.delete(res);
			if (set.size === 0) this.streams.delete(jobId);
		};
	}

	publish(jobId: string, event: JobEvent): void {
		const set = this.streams.get(jobId);
		if (!set) return;
		const frame = `data: ${JSON.stringify(event)}\n\n`;
		for (const res of set) res.write(frame);
	}

	/** Ends every stream (graceful shutdown). */
	closeAll(): void {
		for (const set of this.streams.values()) for (const res of set) res.end();
		this.streams.clear();
	}
}
