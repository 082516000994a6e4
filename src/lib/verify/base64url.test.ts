import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64urlToBytes, bytesToBase64url } from './base64url.js';

describe('base64url', () => {
	it("matches Node's base64url and round-trips any bytes", () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
				const text = bytesToBase64url(bytes);
				expect(text).toBe(Buffer.from(bytes).toString('base64url'));
				expect(base64urlToBytes(text)).toEqual(bytes);
			})
		);
	});

	it('refuses padding, the standard alphabet and impossible lengths', () => {
		for (const bad of ['AA==', 'a+b/', 'abcde', 'ab cd']) expect(() => base64urlToBytes(bad)).toThrow(/not base64url/);
	});
});
