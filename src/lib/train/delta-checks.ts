// The host's checks on each peer's delta before it is averaged (canary checks): it must be
// finite, not much larger than the round's typical delta, point roughly the way the others
// do, not be a near copy of another delta, and not raise the loss on canary batches the peers
// never see. Any one failing rejects the delta, with the reason recorded for the receipt.
import { type Batch, lossAndGrad } from './transformer';
import type { ModelConfig } from './model-config';

export interface DeltaCheckConfig {
	/** Reject when ‖δ‖ exceeds this multiple of the round's median norm (or the reference norm). */
	normMultipleMax: number;
	/** A delta must have a cosine above this with the mean of the round's other plausible deltas (needs 3; see directionScores). */
	cosineMin: number;
	/** Reject as a copy when the cosine with an earlier delta (this round or the last) exceeds this. */
	copyCosineMax: number;
	/** Reject when the round's average delta has a canary loss this much (nats) worse with δ than without it (alone: δ against no update). */
	lossRiseMax: number;
}

// cosineMin 0.03: over 60 rounds of the canary bench (4 honest peers and four attackers) no
// honest delta scored under 0.03 and no random one over 0.025 once the flip was out.
export const DELTA_CHECK_DEFAULTS: DeltaCheckConfig = { normMultipleMax: 3, cosineMin: 0.03, copyCosineMax: 0.98, lossRiseMax: 0.025 };

export interface Candidate {
	peer: string;
	delta: Float32Array;
}

export interface Verdict {
	peer: string;
	accepted: boolean;
	/** Why it was rejected, in words (null when accepted). */
	reason: string | null;
	norm: number;
	cosine: number | null;
	canaryLossRise: number | null;
}

export interface CheckContext {
	cfg: ModelConfig;
	base: Float32Array;
	/** The adapter the round started from. */
	lora: Float32Array;
	canary: readonly Batch[];
	/** Accepted deltas of the previous round (copy detection across rounds). */
	previous: readonly Float32Array[];
	/** A norm from earlier rounds to bound against when this round has fewer than 3 deltas. */
	referenceNorm: number | null;
	config?: DeltaCheckConfig;
}

const dot = (a: Float32Array, b: Float32Array) => {
	let s = 0;
	for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
	return s;
};
const norm = (a: Float32Array) => Math.sqrt(dot(a, a));
const cosine = (a: Float32Array, b: Float32Array) => {
	const d = norm(a) * norm(b);
	return d === 0 ? 0 : dot(a, b) / d;
};
const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function canaryLoss(ctx: CheckContext, lora: Float32Array): number {
	return ctx.canary.reduce((s, b) => s + lossAndGrad(ctx.cfg, ctx.base, lora, b), 0) / ctx.canary.length;
}

/** Checks the candidates in arrival order (earlier arrivals win copy ties). */
export function checkDeltas(ctx: CheckContext, candidates: readonly Candidate[]): Verdict[] {
	const c = ctx.config ?? DELTA_CHECK_DEFAULTS;
	const norms = candidates.map((x) => norm(x.delta));
	const finite = candidates.map((x) => x.delta.every(Number.isFinite));
	const finiteNorms = norms.filter((n, i) => finite[i] && n > 0);
	const bound = c.normMultipleMax * (finiteNorms.length >= 3 ? median(finiteNorms) : (ctx.referenceNorm ?? Infinity));
	const lossBefore = canaryLoss(ctx, ctx.lora);
	// A near copy of an earlier delta (this round's, in arrival order, or last round's) is
	// rejected and takes no part in judging the others' direction.
	const copies = candidates.map((x, i) =>
		[...candidates.slice(0, i).map((e) => e.delta), ...ctx.previous].some((e) => e.length === x.delta.length && x.delta.length === ctx.lora.length && cosine(x.delta, e) > c.copyCosineMax)
	);
	const plausible = candidates.map((x, j) => x.delta.length === ctx.lora.length && finite[j]! && norms[j]! > 0 && norms[j]! <= bound && !copies[j]);
	const direction = directionScores(
		candidates.map((x) => x.delta),
		plausible,
		c.cosineMin
	);
	const verdicts: Verdict[] = [];
	for (let i = 0; i < candidates.length; i++) {
		const { peer, delta } = candidates[i]!;
		const v: Verdict = { peer, accepted: false, reason: null, norm: norms[i]!, cosine: direction.scores[i] ?? null, canaryLossRise: null };
		verdicts.push(v);
		if (delta.length !== ctx.lora.length) {
			v.reason = 'the delta has the wrong size';
			continue;
		}
		if (!finite[i]) {
			v.reason = 'the delta has non-finite entries';
			continue;
		}
		if (norms[i] === 0) {
			v.reason = 'the delta is empty';
			continue;
		}
		if (norms[i]! > bound) {
			v.reason = `norm ${norms[i]!.toExponential(2)} is over ${c.normMultipleMax}× the round's typical ${(bound / c.normMultipleMax).toExponential(2)}`;
			continue;
		}
		if (copies[i]) {
			v.reason = 'a near copy of an earlier delta';
			continue;
		}
		if (direction.removed[i]) {
			v.reason = `points away from the other updates (cosine ${v.cosine!.toFixed(3)} with the mean of the rest, under ${c.cosineMin})`;
			continue;
		}
		v.accepted = true;
	}
	// Canary loss, leave one out: a delta is harmful when the round's average does worse on the
	// canary batches with its share than with that share zeroed. Zeroed, not dropped: dropping it
	// would re-weight the rest, so a weak but helpful delta beside a strong one would look
	// harmful (it measured 0.026 nats against two honest peers, over the bound). An honest delta
	// applied alone may raise the loss a little (it fits its own shard); inside the average it does not.
	const standing = verdicts.flatMap((v, i) => (v.accepted ? [i] : []));
	const averageOf = (idx: number[], share = idx.length) => {
		const out = ctx.lora.slice();
		for (const i of idx) {
			const d = candidates[i]!.delta;
			for (let j = 0; j < out.length; j++) out[j]! += d[j]! / share;
		}
		return out;
	};
	if (standing.length === 2 && cosine(candidates[standing[0]!]!.delta, candidates[standing[1]!]!.delta) <= c.cosineMin) {
		// Two that disagree and no majority to ask: each alone on the canary batches, and the one
		// that makes the model worse than no update at all goes.
		const rises = standing.map((i) => canaryLoss(ctx, averageOf([i])) - lossBefore);
		standing.forEach((i, k) => (verdicts[i]!.canaryLossRise = rises[k]!));
		const worse = rises[0]! >= rises[1]! ? 0 : 1;
		if (rises[worse]! > 0) {
			const v = verdicts[standing[worse]!]!;
			v.accepted = false;
			v.reason = `disagrees with the round's other update and alone raises the canary loss by ${rises[worse]!.toFixed(3)} nats`;
		}
		return verdicts;
	}
	if (standing.length === 1) {
		const v = verdicts[standing[0]!]!;
		v.canaryLossRise = canaryLoss(ctx, averageOf(standing)) - lossBefore;
	} else if (standing.length > 1) {
		const full = canaryLoss(ctx, averageOf(standing));
		for (const i of standing) verdicts[i]!.canaryLossRise = full - canaryLoss(ctx, averageOf(standing.filter((j) => j !== i), standing.length));
	}
	for (const i of standing) {
		const v = verdicts[i]!;
		if (v.canaryLossRise !== null && v.canaryLossRise > c.lossRiseMax) {
			v.accepted = false;
			v.reason = `canary loss of the round's average is ${v.canaryLossRise.toFixed(3)} nats worse with its share than without`;
		}
	}
	return verdicts;
}

/**
 * Direction by iterated leave-one-out: each plausible delta's cosine with the mean of the other
 * plausible ones; the lowest is removed if it is under `cosineMin`, and the rest are scored again
 * without it, until every score clears the bound or fewer than three remain. Iterating matters:
 * a sign-flipped copy of an honest delta drags its victim's score below zero until the flip,
 * which scores lowest, is gone (one pass rejected the victim too). Against the mean rather than
 * each other: late in a session honest deltas are nearly orthogonal pairwise (cosines of
 * 0.00 to 0.05), but their shared part adds up in the mean while a random delta's does not.
 * Returns each delta's last score (null where it was never scored) and which were removed.
 */
export function directionScores(deltas: readonly Float32Array[], plausible: readonly boolean[], cosineMin: number): { scores: (number | null)[]; removed: boolean[] } {
	const alive = plausible.map(Boolean);
	const removed = deltas.map(() => false);
	const scores: (number | null)[] = deltas.map(() => null);
	const size = deltas.find((_, i) => alive[i])?.length ?? 0;
	const sum = new Float64Array(size);
	for (let i = 0; i < deltas.length; i++) if (alive[i]) for (let j = 0; j < size; j++) sum[j]! += deltas[i]![j]!;
	for (;;) {
		const idx = alive.flatMap((a, i) => (a ? [i] : []));
		if (idx.length < 3) break;
		let worst = -1;
		for (const i of idx) {
			// cos(δ_i, Σ_{j≠i} δ_j): the mean's scale does not change a cosine.
			const d = deltas[i]!;
			let dotRest = 0;
			let restSq = 0;
			let dSq = 0;
			for (let j = 0; j < size; j++) {
				const r = sum[j]! - d[j]!;
				dotRest += d[j]! * r;
				restSq += r * r;
				dSq += d[j]! * d[j]!;
			}
			const denom = Math.sqrt(dSq * restSq);
			scores[i] = denom === 0 ? 0 : dotRest / denom;
			if (worst < 0 || scores[i]! < scores[worst]!) worst = i;
		}
		if (scores[worst]! > cosineMin) break;
		alive[worst] = false;
		removed[worst] = true;
		for (let j = 0; j < size; j++) sum[j]! -= deltas[worst]![j]!;
	}
	return { scores, removed };
}
