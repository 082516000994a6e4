import { describe, expect, it } from 'vitest';
import { grantRefusal } from './grant-refusal';
import { RelayError } from './relay-client';

describe('grantRefusal', () => {
	it("says when the network's or the relay's allowance ran out, in the relay's words", () => {
		const network = new RelayError(429, 'grant_limit', 'your network (203.0.113.7) has already received 60 starter grants, the most one address gets every 24 h; more are given in 5 h');
		expect(grantRefusal(network)).toBe(`No starter credits for now: ${network.message}.`);
		const relay = new RelayError(429, 'grant_limit', 'this relay has given all 1000 starter grants it gives every 24 h; more are given in 3 h');
		expect(grantRefusal(relay)).toContain('this relay has given all 1000');
	});

	it('names the other refusals plainly', () => {
		expect(grantRefusal(new RelayError(409, 'grant_used', 'x'))).toBe('This key already received its starter credits.');
		expect(grantRefusal(new RelayError(0, 'network', 'fetch failed'))).toBe('No starter credits: fetch failed');
	});
});
