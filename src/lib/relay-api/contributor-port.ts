// The browser's RelayClient as the contributor loop's relay port ($lib/contributor/ports.ts).
// RelayClient already validates every response and throws RelayError with the relay's code.
import type { ContributorRelay } from '../contributor/ports.js';
import type { RelayClient } from './relay-client.js';

export function relayClientPort(client: RelayClient): ContributorRelay {
	return {
		claim: (request, signal) => client.claim(request, signal),
		heartbeat: (leaseId) => client.heartbeat(leaseId),
		reveal: (leaseId, r) => client.submitResult(leaseId, r.bytes, r.receiptHeader, r.salt, r.bisect),
		answerDispute: (id, answer) => client.answerDispute(id, answer),
		refereeTasks: async () => (await client.pollDisputes()).referee,
		refereeDispute: (id, answer) => client.refereeDispute(id, answer),
		trustedKeys: async () => (await client.trustedKeys()).keys.map((k) => k.key)
	};
}
