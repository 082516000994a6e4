import { RECEIPT_HEADER } from '../../../src/lib/protocol/auth.js';
import { claimTasks } from '../../tasks/claim-tasks.js';
import { heartbeatLease } from '../../tasks/heartbeat-lease.js';
import { checkReceipt, checkRevealHeaders } from '../../tasks/check-receipt.js';
import { commitLeases } from '../../tasks/commit-leases.js';
import { clientAddress, networkOf } from '../../tasks/network.js';
import { workerInbox } from '../../tasks/worker-inbox.js';
import { REVEAL_HEADERS } from '../../../src/lib/protocol/verification.js';
import type { ClaimResponse } from '../../../src/lib/protocol/leases.js';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { defineRoute } from '../route.js';

export const claimRoute = defineRoute(ENDPOINTS.claim, {
	/**
	 * One round trip of a worker: bind the results it finished (commit), settle commitments it let
	 * lapse, lease new tasks, and list which of its commitments may be revealed now and which
	 * dispute questions it must answer. Each step is atomic on its own; none depends on another
	 * having happened in the same transaction.
	 */
	async handle({ ctx, key: worker, body, now, req }) {
		const commitments = await commitLeases(ctx, worker, body.commitments, now);
		// Lapsed commitments are settled before the claim, so a withheld answer already counts.
		const { reveal, questions } = await workerInbox(ctx.db, worker, now);
		const network = networkOf(clientAddress(req, ctx.config.trustProxy));
		if (body.maxTasks > 0) ctx.presence.claimed(worker, body.kernels, network, now);
		const claimed = body.maxTasks > 0 ? await claimTasks(ctx, worker, body, now, network) : { leases: [] };
		const json: ClaimResponse = { ...claimed, commitments, reveal, questions };
		return { json };
	}
});

export const heartbeatRoute = defineRoute(ENDPOINTS.heartbeat, {
	async handle({ ctx, key, params, now, req }) {
		const beat = await heartbeatLease(ctx, key, params.id, now);
		ctx.presence.beat(key, networkOf(clientAddress(req, ctx.config.trustProxy)), now);
		return { json: beat };
	}
});

export const submitResultRoute = defineRoute(ENDPOINTS.submitResult, {
	async handle({ ctx, key: worker, params, raw, req, now }) {
		const header = req.headers[RECEIPT_HEADER];
		const leaseId = params.leaseId;
		// Hashing and the receipt signature are checked per upload, before it joins a settlement batch.
		const receipt = checkReceipt(typeof header === 'string' ? header : undefined, worker, leaseId, raw);
		const reveal = checkRevealHeaders(req.headers[REVEAL_HEADERS.salt], req.headers[REVEAL_HEADERS.merkleRoot], req.headers[REVEAL_HEADERS.finalProof]);
		return { json: await ctx.submissions.submit({ worker, leaseId, receipt, bytes: raw, now, ...reveal }) };
	}
});
