// The shared contributor loop (src/lib/contributor) over ApiClient, for Node tests and the
// simulators: a relay port that throws ContributorRelayError on any non-2xx answer (and `network`
// when fetch itself fails), and a receipt signer over NodeSigner (node:crypto, fast).
import * as v from 'valibot';
import { DisputePollResponseSchema, DisputeViewSchema } from '../../src/lib/protocol/disputes.js';
import { ClaimResponseSchema, HeartbeatResponseSchema, SubmitResponseSchema } from '../../src/lib/protocol/leases.js';
import { REVEAL_HEADERS, TrustedKeysSchema } from '../../src/lib/protocol/verification.js';
import { RECEIPT_HEADER } from '../../src/lib/protocol/auth.js';
import type { ContributorRelay, ReceiptSigner } from '../../src/lib/contributor/ports.js';
import { ContributorRelayError } from '../../src/lib/contributor/relay-error.js';
import type { ApiClient, ApiResponse } from './api-client.js';
import type { NodeSigner } from './node-signer.js';

/** The answer's body checked against its protocol schema, or the relay's error as a ContributorRelayError. */
async function ok<S extends v.GenericSchema>(schema: S, call: Promise<ApiResponse<unknown>>): Promise<v.InferOutput<S>> {
	let res: ApiResponse<unknown>;
	try {
		res = await call;
	} catch (err) {
		if ((err as { name?: string }).name === 'AbortError') throw err;
		throw new ContributorRelayError(0, 'network', err instanceof Error ? err.message : String(err));
	}
	if (res.status >= 200 && res.status < 300) {
		const parsed = v.safeParse(schema, res.body);
		if (!parsed.success) throw new ContributorRelayError(res.status, 'bad_response', `unexpected response shape: ${JSON.stringify(res.body).slice(0, 200)}`);
		return parsed.output;
	}
	const error = (res.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
	const code = typeof error?.code === 'string' ? error.code : 'http';
	throw new ContributorRelayError(res.status, code, typeof error?.message === 'string' ? error.message : `HTTP ${res.status}`);
}

/** `client`'s calls as the loop's relay port (the request signatures are the client's own). */
export function apiClientRelay(client: ApiClient): ContributorRelay {
	return {
		claim: (request) => ok(ClaimResponseSchema, client.post('/leases', request)),
		heartbeat: (leaseId) => ok(HeartbeatResponseSchema, client.post(`/leases/${encodeURIComponent(leaseId)}/heartbeat`, {})),
		reveal: (leaseId, r) =>
			ok(
				SubmitResponseSchema,
				client.send(`/results/${encodeURIComponent(leaseId)}`, r.bytes, {
					'content-type': 'application/octet-stream',
					[RECEIPT_HEADER]: r.receiptHeader,
					[REVEAL_HEADERS.salt]: r.salt,
					...(r.bisect ? { [REVEAL_HEADERS.merkleRoot]: r.bisect.merkleRoot, [REVEAL_HEADERS.finalProof]: r.bisect.finalProof.join(',') } : {})
				})
			),
		answerDispute: (id, answer) => ok(DisputeViewSchema, client.post(`/disputes/${encodeURIComponent(id)}/answer`, answer)),
		refereeTasks: async () => (await ok(DisputePollResponseSchema, client.post('/disputes/poll', {}))).referee,
		refereeDispute: (id, answer) => ok(DisputeViewSchema, client.post(`/disputes/${encodeURIComponent(id)}/referee`, answer)),
		trustedKeys: async () => (await ok(TrustedKeysSchema, client.get('/trusted-keys'))).keys.map((k) => k.key)
	};
}

export function nodeReceiptSigner(signer: NodeSigner): ReceiptSigner {
	return {
		publicKeyHex: signer.publicKeyHex,
		signReceipt: async ({ worker: _worker, ...unsigned }) => signer.receipt(unsigned)
	};
}
