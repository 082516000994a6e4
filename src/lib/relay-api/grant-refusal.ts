import { describeError, isRelayError } from './relay-client';

/**
 * Why the starter credits were not given, as the header says it: the relay's own sentence, after
 * words that say whose allowance ran out (this network's, or the relay's for the period).
 */
export function grantRefusal(err: unknown): string {
	if (isRelayError(err, 'grant_limit')) return `No starter credits for now: ${err.message}.`;
	if (isRelayError(err, 'rate_limited')) return `Too many requests for starter credits: ${err.message}.`;
	if (isRelayError(err, 'grant_used')) return 'This key already received its starter credits.';
	if (isRelayError(err, 'grant_disabled')) return 'This relay does not give starter credits.';
	return `No starter credits: ${describeError(err)}`;
}
