import * as v from 'valibot';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vectors from '../../test/samples/signature-vectors.json';
import { ReceiptSchema, type Receipt } from '../../src/lib/protocol/auth.js';
import { decodeReceiptHeader } from '../../src/lib/verify/receipt.js';
import { verifyReceipt } from './verify-receipt.js';

describe('verifyReceipt (node:crypto)', () => {
	it('accepts every vector receipt, decoded from its header', () => {
		for (const r of vectors.receipts) expect(verifyReceipt(v.parse(ReceiptSchema, decodeReceiptHeader(r.header))), r.name).toBe(true);
	});

	it('rejects every negative vector', () => {
		for (const r of vectors.negativeReceipts) expect(verifyReceipt(v.parse(ReceiptSchema, r.receipt)), r.name).toBe(false);
	});

	it('rejects any change to any signed field', () => {
		const base = v.parse(ReceiptSchema, vectors.receipts[0]!.receipt);
		const change = fc.oneof(
			fc.string({ minLength: 1, maxLength: 128 }).map((taskId) => ({ taskId })),
			fc.string({ minLength: 1, maxLength: 64 }).map((leaseId) => ({ leaseId })),
			fc.string({ minLength: 1, maxLength: 64 }).map((kernel) => ({ kernel })),
			fc.integer({ min: 1, max: 1e6 }).map((kernelVersion) => ({ kernelVersion })),
			fc.stringMatching(/^[0-9a-f]{64}$/).map((sha256) => ({ sha256 })),
			fc.stringMatching(/^[0-9a-f]{64}$/).map((worker) => ({ worker }))
		);
		fc.assert(
			fc.property(change, (c) => {
				const tampered: Receipt = { ...base, ...c };
				fc.pre(JSON.stringify(tampered) !== JSON.stringify(base));
				expect(verifyReceipt(tampered)).toBe(false);
			}),
			{ numRuns: 300 }
		);
	});

	it('returns false for a field that cannot be encoded', () => {
		const base = v.parse(ReceiptSchema, vectors.receipts[0]!.receipt);
		expect(verifyReceipt({ ...base, taskId: 't\n1' })).toBe(false);
	});
});
