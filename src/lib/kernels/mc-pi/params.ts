// One chain's task parameters (one task = one chain): JSON-serialisable, checked at the boundary.
import * as v from 'valibot';
import { CHAIN_SAMPLES_MESSAGE, CHAINS_MAX, SamplesPerStepSchema, SeedSchema, StepsSchema, chainSamplesOk } from './spec';

export const McPiParamsSchema = v.pipe(
	v.strictObject({
		seed: SeedSchema,
		chain: v.pipe(v.number(), v.safeInteger('chain must be a whole number'), v.minValue(0, 'chain must be at least 0'), v.maxValue(CHAINS_MAX - 1, `chain must be at most ${CHAINS_MAX - 1}`)),
		steps: StepsSchema,
		samplesPerStep: SamplesPerStepSchema
	}),
	v.check((p) => chainSamplesOk(p), CHAIN_SAMPLES_MESSAGE)
);
export type McPiParams = v.InferOutput<typeof McPiParamsSchema>;

/** Validates params from the wire; throws a ValiError on bad input. */
export function parseParams(params: unknown): McPiParams {
	return v.parse(McPiParamsSchema, params);
}
