// What a requester asks for: `chains` independent Monte Carlo chains of `steps` steps each,
// every step drawing `samplesPerStep` points in the unit square (README.md has the contract).
import * as v from 'valibot';

export const SEED_MAX = 0xffff_ffff;
export const CHAINS_MAX = 1024;
export const STEPS_MIN = 2;
/** One leaf per step, so this bounds a task's Merkle tree and its bisection to 10 rounds. */
export const STEPS_MAX = 1024;
export const SAMPLES_PER_STEP_MIN = 64;
export const SAMPLES_PER_STEP_MAX = 65_536;
/** Samples of one chain (one task): keeps the sample index n and 2n + 1 well inside u32. */
export const SAMPLES_PER_CHAIN_MAX = 2 ** 26;

const int = (min: number, max: number, what: string) =>
	v.pipe(v.number(), v.safeInteger(`${what} must be a whole number`), v.minValue(min, `${what} must be at least ${min}`), v.maxValue(max, `${what} must be at most ${max}`));

export const SeedSchema = int(0, SEED_MAX, 'seed');
export const StepsSchema = v.pipe(
	int(STEPS_MIN, STEPS_MAX, 'steps'),
	v.check((n) => (n & (n - 1)) === 0, 'steps must be a power of two (2, 4, 8, … 1024)')
);
export const SamplesPerStepSchema = int(SAMPLES_PER_STEP_MIN, SAMPLES_PER_STEP_MAX, 'samplesPerStep');

export const CHAIN_SAMPLES_MESSAGE = `steps × samplesPerStep must be at most ${SAMPLES_PER_CHAIN_MAX} (2^26) samples per chain`;
export function chainSamplesOk(p: { steps: number; samplesPerStep: number }): boolean {
	return p.steps * p.samplesPerStep <= SAMPLES_PER_CHAIN_MAX;
}

export const McPiSpecSchema = v.pipe(
	v.strictObject({
		seed: SeedSchema,
		chains: int(1, CHAINS_MAX, 'chains'),
		steps: StepsSchema,
		samplesPerStep: SamplesPerStepSchema
	}),
	v.check((p) => chainSamplesOk(p), CHAIN_SAMPLES_MESSAGE)
);
export type McPiSpecInput = v.InferInput<typeof McPiSpecSchema>;
export type McPiSpec = v.InferOutput<typeof McPiSpecSchema>;
