// The requester's side: the verified chains' final states → π, from the chains there are.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { estimatePi } from './assemble';
import { runChain } from './cpu-twin';
import { splitMcPi } from './meta';
import { mcPiRequester } from './requester';
import { McPiSpecSchema } from './spec';

const spec = v.parse(McPiSpecSchema, { seed: 7, chains: 4, steps: 8, samplesPerStep: 1024 });
const finals = () => new Map(splitMcPi(spec).map((t) => [t.idx, runChain(t.params).final] as const));

describe('mc-pi requester', () => {
	it('estimates π from every verified chain, as estimatePi does', async () => {
		const all = finals();
		const result = mcPiRequester.assemble(spec, all);
		expect(result).toEqual({ pi: estimatePi([...all.values()], 1024), chains: 4, samples: 4 * 8 * 1024 });
		expect(Math.abs(result.pi - Math.PI)).toBeLessThan(0.1);
		const out = await mcPiRequester.render(result);
		expect(out).toMatchObject({ mediaType: 'application/json', extension: 'json', summary: `π ≈ ${result.pi.toFixed(6)} from 4 verified chains, 32,768 samples` });
		expect(JSON.parse(new TextDecoder().decode(out.bytes))).toEqual(result);
		expect(mcPiRequester.title(spec)).toBe('Monte Carlo π, 4 × 8 steps');
	});

	it('leaves out a chain with no verified result, and refuses bad or no states', () => {
		const some = finals();
		some.delete(2);
		expect(mcPiRequester.assemble(spec, some)).toMatchObject({ chains: 3, samples: 3 * 8 * 1024 });
		expect(() => mcPiRequester.assemble(spec, new Map())).toThrow(RangeError);
		expect(() => mcPiRequester.assemble(spec, new Map([[0, new Uint8Array(4)]]))).toThrow(/chain 0: expected 8 bytes/);
	});
});
