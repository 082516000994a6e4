// The mc-pi kernel's contract for the relay: validate, split into one task per chain, price, say
// how many steps a bisection runs over, and the requester's estimate. Imports no shader and no
// CPU twin (compute.ts has those).
import type { KernelMeta, TaskPlan } from '../types';
import { McPiParamsSchema, type McPiParams } from './params';
import { mcPiRequester, type McPiResult } from './requester';
import { McPiSpecSchema, type McPiSpec } from './spec';
import { STATE_BYTES } from './state';

export type { McPiParams, McPiSpec };

/** 1 micro-credit per 10,000 samples. */
const SAMPLES_PER_MICRO = 10_000;

export function priceChainMicro(steps: number, samplesPerStep: number): number {
	return Math.ceil((steps * samplesPerStep) / SAMPLES_PER_MICRO);
}

/** One task per chain, `idx` = chain, laid out as a 1-pixel-high strip. Deterministic. */
export function splitMcPi(spec: McPiSpec): TaskPlan<McPiParams>[] {
	const tasks: TaskPlan<McPiParams>[] = [];
	for (let chain = 0; chain < spec.chains; chain++) {
		tasks.push({
			idx: chain,
			params: { seed: spec.seed, chain, steps: spec.steps, samplesPerStep: spec.samplesPerStep },
			rect: { x: chain, y: 0, w: 1, h: 1 },
			resultBytes: STATE_BYTES,
			priceMicro: priceChainMicro(spec.steps, spec.samplesPerStep)
		});
	}
	return tasks;
}

/** A small chain (2^17 samples): tens of ms on a laptop's CPU twin. */
const BENCHMARK_CHAIN: McPiParams = { seed: 1, chain: 0, steps: 8, samplesPerStep: 16_384 };

export const mcPiMeta: KernelMeta<McPiSpec, McPiParams, McPiResult> = {
	id: 'mc-pi',
	version: 1,
	verification: 'bisect',
	specSchema: McPiSpecSchema,
	paramsSchema: McPiParamsSchema,
	split: splitMcPi,
	bisectSteps: (p) => p.steps,
	// One arithmetic path whatever the size: price is samples, and time follows it.
	costClasses: 1,
	costClass: () => 0,
	benchmarkParams: () => ({ params: BENCHMARK_CHAIN, priceMicro: priceChainMicro(BENCHMARK_CHAIN.steps, BENCHMARK_CHAIN.samplesPerStep) }),
	requester: mcPiRequester
};
