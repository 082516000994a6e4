import { utf8ToBytes } from '@noble/hashes/utils.js';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256.js';

describe('sha256Hex', () => {
	it('matches the FIPS 180-2 examples', () => {
		expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
		expect(sha256Hex(utf8ToBytes('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
	});

	it('agrees with node:crypto on any bytes', () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
				expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
			})
		);
	});
});
