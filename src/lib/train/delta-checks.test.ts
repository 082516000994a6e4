// The host's checks on a tiny model: honest deltas (a step down the canary loss plus noise)
// pass; sign-flipped, ×100, random, copied and non-finite ones are rejected with a reason,
// including when one attacker is a third of the round.
import { describe, expect, it } from 'vitest';
import { randomArray } from '../kernels/nn/finite-difference';
import { canaryLoss, checkDeltas, DELTA_CHECK_DEFAULTS, directionScores, type Candidate, type CheckContext } from './delta-checks';
import { baseLayout, loraLayout, type ModelConfig } from './model-config';
import { gaussian, seededRng } from './rng';
import { VOCAB_SIZE } from './tokenizer';
import { lossAndGrad, type Batch } from './transformer';

const TINY: ModelConfig = { vocab: VOCAB_SIZE, context: 8, dModel: 8, heads: 2, layers: 1, mlp: 16, loraRank: 2, loraAlpha: 4 };

function batch(seed: number): Batch {
	const rng = seededRng(seed);
	const tokens = Uint8Array.from({ length: 16 }, () => Math.floor(rng() * 20));
	return { tokens, targets: tokens.map((t) => (t + 1) % 20), batch: 2, t: 8 };
}

const base = randomArray(baseLayout(TINY).size, 1, 0.3);
const lora = randomArray(loraLayout(TINY).size, 2, 0.3);
const canary = [batch(3), batch(4)];
const grad = new Float32Array(lora.length);
for (const b of canary) lossAndGrad(TINY, base, lora, b, { lora: grad });
const ctx: CheckContext = { cfg: TINY, base, lora, canary, previous: [], referenceNorm: null };

const norm = (d: Float32Array) => Math.sqrt(d.reduce((s, x) => s + x * x, 0));
/** A step down the canary loss that lowers it by about 0.05 nats to first order, plus noise half the step's size per coordinate (each peer's own data). */
function honest(seed: number, drop = 0.05): Float32Array {
	const rng = seededRng(seed);
	const STEP = drop / norm(grad) ** 2;
	const rms = (STEP * norm(grad)) / Math.sqrt(grad.length);
	return grad.map((g) => -STEP * g + 0.5 * rms * gaussian(rng));
}
function randomLike(d: Float32Array, seed: number): Float32Array {
	const rng = seededRng(seed);
	const r = d.map(() => gaussian(rng));
	const s = norm(d) / norm(r);
	return r.map((x) => x * s);
}
const verdict = (cands: Candidate[], peer: string) => checkDeltas(ctx, cands).find((v) => v.peer === peer)!;

describe('delta checks', () => {
	const h = [honest(10), honest(11), honest(12), honest(13)];
	const round = (extra: Candidate): Candidate[] => [...h.map((delta, i) => ({ peer: `h${i}`, delta })), extra];

	it('accepts honest deltas', () => {
		const vs = checkDeltas(ctx, h.map((delta, i) => ({ peer: `h${i}`, delta })));
		expect(vs.map((v) => v.reason)).toEqual([null, null, null, null]);
	});

	it('rejects sign-flipped, ×100, random, copied and non-finite deltas', () => {
		expect(verdict(round({ peer: 'x', delta: h[0]!.map((x) => -x) }), 'x').reason).toMatch(/points away|canary/);
		expect(verdict(round({ peer: 'x', delta: h[0]!.map((x) => x * 100) }), 'x').reason).toMatch(/norm/);
		expect(verdict(round({ peer: 'x', delta: randomLike(h[0]!, 5) }), 'x').reason).toMatch(/points away|canary/);
		expect(verdict(round({ peer: 'x', delta: h[1]!.slice() }), 'x').reason).toMatch(/copy/);
		const nan = h[0]!.slice();
		nan[3] = NaN;
		expect(verdict(round({ peer: 'x', delta: nan }), 'x').reason).toMatch(/non-finite/);
	});

	it('with three peers, one of them flipping its sign, only the attacker is rejected', () => {
		const vs = checkDeltas(ctx, [
			{ peer: 'a', delta: h[0]! },
			{ peer: 'b', delta: h[1]! },
			{ peer: 'm', delta: h[2]!.map((x) => -x) }
		]);
		expect(vs.map((v) => [v.peer, v.accepted])).toEqual([
			['a', true],
			['b', true],
			['m', false]
		]);
	});

	it('a weak but helpful delta beside a strong one is accepted (its share is zeroed, not the rest re-weighted)', () => {
		// The tiny model's canary losses move by thousandths, so the bound is scaled down to match.
		const config = { ...DELTA_CHECK_DEFAULTS, lossRiseMax: 0.002 };
		const [strong, weak] = [honest(30, 0.04), honest(31, 0.002)];
		const vs = checkDeltas({ ...ctx, config }, [
			{ peer: 'strong', delta: strong },
			{ peer: 'weak', delta: weak }
		]);
		expect(vs.map((v) => [v.peer, v.reason])).toEqual([
			['strong', null],
			['weak', null]
		]);
		expect(vs[1]!.canaryLossRise!).toBeLessThan(config.lossRiseMax / 2);
		// Dropping the weak delta instead (the strong one then counts fully) would have rejected it.
		const dropped = canaryLoss(ctx, lora.map((x, i) => x + (strong[i]! + weak[i]!) / 2)) - canaryLoss(ctx, lora.map((x, i) => x + strong[i]!));
		expect(dropped).toBeGreaterThan(config.lossRiseMax);
	});

	it('with two peers that disagree, the one that raises the canary loss alone is rejected; a replay of last round is a copy', () => {
		const [a, b] = [honest(20), honest(21)];
		expect(checkDeltas(ctx, [{ peer: 'a', delta: a }, { peer: 'm', delta: b.map((x) => -x) }]).map((v) => v.accepted)).toEqual([true, false]);
		expect(checkDeltas({ ...ctx, previous: [h[0]!] }, [{ peer: 'a', delta: h[0]! }])[0]!.reason).toMatch(/copy/);
	});

	it('direction is iterated: a sign flip of an honest delta is removed before its victim is judged', () => {
		// Late-session deltas: a shared part under noise four times its size (pairwise cosine ≈ 0.06).
		const rng = seededRng(77);
		const shared = Float32Array.from({ length: 9216 }, () => gaussian(rng));
		const noisy = () => shared.map((x) => x + 4 * gaussian(rng));
		const honestDeltas = [noisy(), noisy(), noisy(), noisy()];
		const flip = honestDeltas[0]!.map((x) => -x);
		const random = randomLike(honestDeltas[1]!, 78);
		const all = [...honestDeltas, flip, random];
		const { removed, scores } = directionScores(all, all.map(() => true), DELTA_CHECK_DEFAULTS.cosineMin);
		expect(removed).toEqual([false, false, false, false, true, true]);
		for (const s of scores.slice(0, 4)) expect(s!).toBeGreaterThan(DELTA_CHECK_DEFAULTS.cosineMin);
		// Judged in one pass (nothing removed), the victim would have been rejected with its attacker.
		const onePass = directionScores(all, all.map(() => true), -Infinity).scores;
		expect(onePass[0]!).toBeLessThan(DELTA_CHECK_DEFAULTS.cosineMin);
	});
});
