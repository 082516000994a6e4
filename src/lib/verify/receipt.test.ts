import { hexToBytes } from '@noble/hashes/utils.js';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import vectors from '../../../test/samples/signature-vectors.json';
import { ReceiptSchema, type UnsignedReceipt } from '../protocol/auth.js';
import { bytesToBase64url } from './base64url.js';
import { decodeReceiptHeader, encodeReceiptHeader, RECEIPT_HEADER_CHARS_MAX, signReceipt } from './receipt.js';

describe('receipts (noble)', () => {
	it('reproduces every vector signature and header exactly', async () => {
		for (const r of vectors.receipts) {
			const key = vectors.keys.find((k) => k.name === r.keyName);
			if (!key) throw new Error(`no key ${r.keyName}`);
			const { signature: _s, ...rest } = r.receipt;
			expect(rest.v).toBe(1);
			const unsigned: UnsignedReceipt = { ...rest, v: 1 };
			const signed = await signReceipt(unsigned, hexToBytes(key.secretKeyHex));
			expect(signed, r.name).toEqual(r.receipt);
			expect(encodeReceiptHeader(signed), r.name).toBe(r.header);
		}
	});

	it('decodes a header back to a receipt the schema accepts', () => {
		for (const r of vectors.receipts) expect(v.parse(ReceiptSchema, decodeReceiptHeader(r.header))).toEqual(r.receipt);
	});

	it('says why a header cannot be decoded', () => {
		expect(() => decodeReceiptHeader('not base64!')).toThrow(/not base64url/);
		expect(() => decodeReceiptHeader(bytesToBase64url(new TextEncoder().encode('{"v":')))).toThrow(/not .*JSON/);
		expect(() => decodeReceiptHeader(bytesToBase64url(Uint8Array.of(0xff, 0xfe)))).toThrow(/UTF-8/);
		expect(() => decodeReceiptHeader('A'.repeat(RECEIPT_HEADER_CHARS_MAX + 1))).toThrow(/at most/);
	});
});
