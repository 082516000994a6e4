// What a requester asks for: `chains` independent Monte Carlo chains of `steps` steps each,
// every step drawing `samplesPerStep` points in the unit square (README.md has the contract).
import * as v from 'valibot';
import { fieldsValid, formatCount, wholeNumber } from '../spec-words';

const SEED_MAX = 0xffff_ffff;
export const CHAINS_MAX = 1024;
export const STEPS_MIN = 2;
/** One leaf per step, so this bounds a task's Merkle tree and its bisection to 10 rounds. */
export const STEPS_MAX = 1024;
const SAMPLES_PER_STEP_MIN = 64;
const SAMPLES_PER_STEP_MAX = 65_536;
/** Samples of one chain (one task): keeps the sample index n and 2n + 1 well inside u32. */
const SAMPLES_PER_CHAIN_MAX = 2 ** 26;

/** The form's names for the fields, used in every message. */
export const FIELD_LABELS = { seed: 'Seed', chains: 'Chains', steps: 'Steps per chain', samplesPerStep: 'Samples per step' } as const;

export const SeedSchema = wholeNumber(FIELD_LABELS.seed, 0, SEED_MAX);
const STEPS_MESSAGE = `${FIELD_LABELS.steps} must be a power of two from ${STEPS_MIN} to ${STEPS_MAX} (2, 4, 8, … ${STEPS_MAX})`;
export const StepsSchema = v.pipe(
	v.number(STEPS_MESSAGE),
	v.safeInteger(STEPS_MESSAGE),
	v.minValue(STEPS_MIN, STEPS_MESSAGE),
	v.maxValue(STEPS_MAX, STEPS_MESSAGE),
	v.check((n) => (n & (n - 1)) === 0, STEPS_MESSAGE)
);
export const SamplesPerStepSchema = wholeNumber(FIELD_LABELS.samplesPerStep, SAMPLES_PER_STEP_MIN, SAMPLES_PER_STEP_MAX);

export const CHAIN_SAMPLES_MESSAGE = `${FIELD_LABELS.steps} × ${FIELD_LABELS.samplesPerStep.toLowerCase()} can be at most ${formatCount(SAMPLES_PER_CHAIN_MAX)} (2^26) samples per chain`;
export function chainSamplesOk(p: { steps: number; samplesPerStep: number }): boolean {
	return p.steps * p.samplesPerStep <= SAMPLES_PER_CHAIN_MAX;
}

export const McPiSpecSchema = v.pipe(
	v.strictObject(
		{
			seed: SeedSchema,
			chains: wholeNumber(FIELD_LABELS.chains, 1, CHAINS_MAX),
			steps: StepsSchema,
			samplesPerStep: SamplesPerStepSchema
		},
		'A Monte Carlo π spec has exactly the fields seed, chains, steps and samplesPerStep'
	),
	// Only when both fields passed their own checks: a bad one says what is wrong with it alone.
	v.rawCheck(({ dataset, addIssue }) => {
		if (!fieldsValid(dataset.issues, ['steps', 'samplesPerStep'])) return;
		if (!chainSamplesOk(dataset.value as { steps: number; samplesPerStep: number })) addIssue({ message: CHAIN_SAMPLES_MESSAGE });
	})
);
export type McPiSpecInput = v.InferInput<typeof McPiSpecSchema>;
export type McPiSpec = v.InferOutput<typeof McPiSpecSchema>;
