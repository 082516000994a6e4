import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import vectors from '../../../test/samples/signature-vectors.json';
import * as v from 'valibot';
import { ReceiptSchema, type UnsignedReceipt } from '../protocol/auth.js';
import { canonicalReceiptBytes, canonicalReceiptText, canonicalRequestBytes, canonicalRequestText, type CanonicalRequestFields } from './canonical.js';

const request: CanonicalRequestFields = {
	origin: 'http://127.0.0.1:8787',
	method: 'POST',
	path: '/api/v1/jobs?x=1',
	bodySha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
	timestamp: 1_700_000_000_000,
	nonce: '00112233445566778899aabbccddeeff'
};

const receipt: UnsignedReceipt = {
	v: 1,
	taskId: 't1',
	leaseId: 'l1',
	kernel: 'mandelbrot',
	kernelVersion: 1,
	sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
	worker: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'
};

describe('canonical request encoding', () => {
	it('reproduces every vector byte for byte', () => {
		for (const r of vectors.requests) {
			expect(canonicalRequestText(r), r.name).toBe(r.canonicalText);
			expect(bytesToHex(canonicalRequestBytes(r)), r.name).toBe(r.canonicalHex);
		}
	});

	it('is seven documented lines', () => {
		expect(canonicalRequestText(request).split('\n')).toEqual([
			'mycelia-request/1',
			'http://127.0.0.1:8787',
			'POST /api/v1/jobs?x=1',
			request.bodySha256,
			'1700000000000',
			request.nonce
		]);
	});

	it.each([
		['a newline in the path', { path: '/a\nb' }, /newline/],
		['a trailing slash on the origin', { origin: 'http://127.0.0.1:8787/' }, /origin/],
		['an origin with a path', { origin: 'http://h/api' }, /origin/],
		['a lower-case method', { method: 'post' }, /method/],
		['a relative path', { path: 'api/v1/jobs' }, /path/],
		['a fractional timestamp', { timestamp: 1.5 }, /timestamp/],
		['an upper-case nonce', { nonce: request.nonce.toUpperCase() }, /nonce/],
		['a short body hash', { bodySha256: 'abcd' }, /body hash/]
	] as const)('refuses %s', (_what, change, error) => {
		expect(() => canonicalRequestText({ ...request, ...change })).toThrow(error);
	});
});

describe('canonical receipt encoding', () => {
	it('reproduces every vector byte for byte', () => {
		for (const r of vectors.receipts) {
			const parsed = v.parse(ReceiptSchema, r.receipt);
			expect(canonicalReceiptText(parsed), r.name).toBe(r.canonicalText);
			expect(bytesToHex(canonicalReceiptBytes(parsed)), r.name).toBe(r.canonicalHex);
		}
	});

	it('is six documented lines, kernel@version on one', () => {
		expect(canonicalReceiptText(receipt)).toBe(['mycelia-receipt/1', 't1', 'l1', 'mandelbrot@1', receipt.sha256, receipt.worker].join('\n'));
		expect(canonicalReceiptBytes(receipt)).toEqual(utf8ToBytes(canonicalReceiptText(receipt)));
	});

	it.each([
		['a newline in the task id', { taskId: 't\n1' }],
		['a newline in the lease id', { leaseId: 'l\n' }],
		['a newline in the kernel', { kernel: 'k\n' }],
		['a zero kernel version', { kernelVersion: 0 }],
		['an upper-case hash', { sha256: receipt.sha256.toUpperCase() }]
	] as const)('refuses %s', (_what, change) => {
		expect(() => canonicalReceiptText({ ...receipt, ...change })).toThrow(/cannot sign/);
	});
});
