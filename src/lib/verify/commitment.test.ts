import { describe, expect, it } from 'vitest';
import { resultCommitment } from './commitment';

const base = { leaseId: 'lease-1', sha256: 'a'.repeat(64), merkleRoot: null, salt: '0'.repeat(32) };

describe('resultCommitment', () => {
	it('is stable and hex', () => {
		expect(resultCommitment(base)).toMatch(/^[0-9a-f]{64}$/);
		expect(resultCommitment(base)).toBe(resultCommitment({ ...base }));
	});
	it('changes with every field', () => {
		const c = resultCommitment(base);
		expect(resultCommitment({ ...base, leaseId: 'lease-2' })).not.toBe(c);
		expect(resultCommitment({ ...base, sha256: 'b'.repeat(64) })).not.toBe(c);
		expect(resultCommitment({ ...base, merkleRoot: 'c'.repeat(64) })).not.toBe(c);
		expect(resultCommitment({ ...base, salt: '1'.repeat(32) })).not.toBe(c);
	});
});
