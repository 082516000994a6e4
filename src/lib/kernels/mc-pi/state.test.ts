import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STATE_BYTES, decodeState, encodeState, initialState, stateProblem } from './state';

const params = { seed: 1, chain: 0, steps: 4, samplesPerStep: 64 };

describe('state bytes', () => {
	it('are u32 LE step then u32 LE hits, and round-trip', () => {
		expect([...encodeState({ step: 2, hits: 0x01020304 })]).toEqual([2, 0, 0, 0, 4, 3, 2, 1]);
		expect([...initialState(params)]).toEqual(new Array(STATE_BYTES).fill(0));
		fc.assert(
			fc.property(fc.nat(0xffffffff), fc.nat(0xffffffff), (step, hits) => {
				expect(decodeState(encodeState({ step, hits }))).toEqual({ step, hits });
			})
		);
	});

	it('decode a view at an offset, and refuse the wrong length or a non-u32', () => {
		const buf = new Uint8Array(11);
		buf.set(encodeState({ step: 3, hits: 7 }), 3);
		expect(decodeState(buf.subarray(3))).toEqual({ step: 3, hits: 7 });
		expect(() => decodeState(new Uint8Array(7))).toThrow(RangeError);
		expect(() => decodeState(new Uint8Array(9))).toThrow(RangeError);
		for (const bad of [-1, 2 ** 32, 1.5, Number.NaN]) expect(() => encodeState({ step: 0, hits: bad })).toThrow(RangeError);
	});

	it('name states no honest chain reaches', () => {
		expect(stateProblem(params, { step: 4, hits: 256 })).toBeNull();
		expect(stateProblem(params, { step: 5, hits: 0 })).toMatch(/beyond/);
		expect(stateProblem(params, { step: 1, hits: 65 })).toMatch(/exceed/);
	});
});
