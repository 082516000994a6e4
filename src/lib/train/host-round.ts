// Closing a round on the session host: check every delta that arrived, average the accepted
// ones by tokens, take the outer Nesterov step, and measure the validation loss. Shared by the
// host page and the training bench, so the bench measures the code the classroom runs.
import { checkDeltas, DELTA_CHECK_DEFAULTS, type DeltaCheckConfig, type Verdict } from './delta-checks';
import type { ModelConfig } from './model-config';
import { NesterovOuter, weightedAverage, type OuterConfig } from './outer-optimizer';
import { lossAndGrad, type Batch } from './transformer';

export interface HostState {
	cfg: ModelConfig;
	base: Float32Array;
	/** The global adapter; replaced by each round's outer step. */
	lora: Float32Array;
	outer: NesterovOuter;
	canary: readonly Batch[];
	validation: readonly Batch[];
	previousAccepted: Float32Array[];
	referenceNorm: number | null;
	checks: DeltaCheckConfig;
	round: number;
}

export interface Arrival {
	peer: string;
	delta: Float32Array;
	/** Tokens the host assigned this peer for the round (not the peer's own claim). */
	tokens: number;
}

export interface RoundOutcome {
	round: number;
	verdicts: Verdict[];
	acceptedTokens: number;
	validationLoss: number;
}

export function newHostState(
	cfg: ModelConfig,
	base: Float32Array,
	lora: Float32Array,
	data: { canary: readonly Batch[]; validation: readonly Batch[] },
	outer?: OuterConfig,
	checks: DeltaCheckConfig = DELTA_CHECK_DEFAULTS
): HostState {
	return { cfg, base, lora: lora.slice(), outer: new NesterovOuter(lora.length, outer), ...data, previousAccepted: [], referenceNorm: null, checks, round: 0 };
}

export function validationLoss(s: HostState, lora = s.lora): number {
	return s.validation.reduce((sum, b) => sum + lossAndGrad(s.cfg, s.base, lora, b), 0) / s.validation.length;
}

export function closeRound(s: HostState, arrivals: readonly Arrival[]): RoundOutcome {
	const verdicts = checkDeltas(
		{ cfg: s.cfg, base: s.base, lora: s.lora, canary: s.canary, previous: s.previousAccepted, referenceNorm: s.referenceNorm, config: s.checks },
		arrivals
	);
	const accepted = arrivals.filter((_, i) => verdicts[i]!.accepted);
	const acceptedTokens = accepted.reduce((t, a) => t + a.tokens, 0);
	if (accepted.length > 0) {
		s.outer.step(s.lora, weightedAverage(accepted.map((a) => ({ delta: a.delta, weight: a.tokens })), s.lora.length));
		s.previousAccepted = accepted.map((a) => a.delta);
		const norms = verdicts.filter((v) => v.accepted).map((v) => v.norm);
		s.referenceNorm = norms.reduce((a, b) => a + b, 0) / norms.length;
	}
	s.round++;
	return { round: s.round, verdicts, acceptedTokens, validationLoss: validationLoss(s) };
}
