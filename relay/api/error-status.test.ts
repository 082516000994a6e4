import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/lib/protocol/errors.js';
import { DomainError, notFound, rateLimited } from '../domain-error.js';
import { HTTP_STATUS_OF_CODE, httpStatusOf, retryAfterSeconds } from './error-status.js';

describe('domain errors as HTTP', () => {
	it('gives every error code a 4xx, or a 5xx only for the relay itself', () => {
		for (const code of ERROR_CODES) {
			const status = HTTP_STATUS_OF_CODE[code];
			if (code === 'internal') expect(status).toBe(500);
			else expect([code, status >= 400 && status < 500]).toEqual([code, true]);
		}
	});

	it('answers a refusal for now with its own status where the code has one', () => {
		expect(httpStatusOf(new DomainError('commitment_mismatch', 'reveal before commit', { transient: true }))).toBe(409);
		expect(httpStatusOf(new DomainError('commitment_mismatch', 'wrong salt'))).toBe(400);
		expect(httpStatusOf(new DomainError('internal', 'no free join code', { transient: true }))).toBe(503);
		expect(httpStatusOf(new DomainError('conflict', 'already used', { transient: true }))).toBe(409);
		expect(httpStatusOf(notFound('job j1'))).toBe(404);
	});

	it('says when to come back in whole seconds, at least one, only where the refusal says', () => {
		expect(retryAfterSeconds(rateLimited('slow down', 1))).toBe(1);
		expect(retryAfterSeconds(rateLimited('slow down', 2_001, 'grant_limit'))).toBe(3);
		expect(httpStatusOf(rateLimited('slow down', 2_001, 'grant_limit'))).toBe(429);
		expect(retryAfterSeconds(new DomainError('rate_limited', 'mailbox full'))).toBeNull();
	});
});
