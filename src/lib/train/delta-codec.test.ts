import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomArray } from '../kernels/nn/finite-difference';
import { compressWithFeedback, decodeDelta, encodeDelta } from './delta-codec';

describe('delta codec', () => {
	it('decodes exactly what the encoder says it sent, and keeps the largest entries', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 3000 }), fc.double({ min: 0.001, max: 1, noNaN: true }), fc.integer(), (n, share, seed) => {
				const d = randomArray(n, seed, 0.1);
				const enc = encodeDelta(d, share);
				const out = decodeDelta(enc.bytes, n);
				expect(Array.from(out)).toEqual(Array.from(enc.decoded));
				const kept = Array.from(out).filter((v) => v !== 0).length;
				expect(kept).toBeLessThanOrEqual(Math.max(1, Math.round(n * share)));
				// int8 per block of 64: each kept entry within half a step of its scale.
				for (let i = 0; i < n; i++) if (out[i] !== 0) expect(Math.abs(out[i]! - d[i]!)).toBeLessThanOrEqual(0.1 / 127 / 2 + 1e-7);
			}),
			{ numRuns: 60 }
		);
	});

	it('costs about two bytes per kept entry', () => {
		const enc = encodeDelta(randomArray(9216, 3), 0.05);
		expect(enc.bytes.length).toBeLessThan(461 * 2 + 16 + 8 * 4 + 64);
	});

	it('with error feedback, what was sent plus the residual is everything the peer produced', () => {
		const residual = new Float32Array(500);
		const sent = new Float64Array(500);
		const produced = new Float64Array(500);
		for (let r = 0; r < 10; r++) {
			const d = randomArray(500, 100 + r, 0.01);
			d.forEach((v, i) => (produced[i]! += v));
			compressWithFeedback(d, residual, 0.1).decoded.forEach((v, i) => (sent[i]! += v));
		}
		for (let i = 0; i < 500; i++) expect(sent[i]! + residual[i]!).toBeCloseTo(produced[i]!, 5);
	});

	it('rejects malformed messages instead of decoding garbage', () => {
		const good = encodeDelta(randomArray(100, 4), 0.2).bytes;
		expect(() => decodeDelta(good, 101)).toThrow(/parameters/);
		expect(() => decodeDelta(good.slice(0, good.length - 1), 100)).toThrow();
		expect(() => decodeDelta(Uint8Array.from([...good, 0]), 100)).toThrow(/trailing/);
		const bad = good.slice();
		bad[0] = 0;
		expect(() => decodeDelta(bad, 100)).toThrow(/not a Mycelia delta/);
		expect(() => encodeDelta(Float32Array.from([1, NaN]), 1)).toThrow(/non-finite/);
	});
});
