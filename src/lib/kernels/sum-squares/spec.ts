// What a requester asks for: Σ k² over the integers from ≤ k < to, in ranges of `chunk` terms
// (README.md has the contract), and one range's task parameters.
import * as v from 'valibot';
import { fieldsValid, formatCount, wholeNumber } from '../spec-words';

/** k stays below 2^16, so k² fits a u32 (the WGSL's arithmetic) and every sum is exact. */
const K_END_MAX = 65_536;
const CHUNK_MAX = 65_536;
const TASKS_MAX = 1024;

const FIELD_LABELS = { from: 'From', to: 'To', chunk: 'Terms per task' } as const;

const RANGE_MESSAGE = `${FIELD_LABELS.from} must be below ${FIELD_LABELS.to.toLowerCase()}`;
const TASKS_MESSAGE = `(${FIELD_LABELS.to} − ${FIELD_LABELS.from.toLowerCase()}) / ${FIELD_LABELS.chunk.toLowerCase()} can be at most ${formatCount(TASKS_MAX)} tasks`;

/** How many ranges of `chunk` terms cover from..to. */
export const taskCount = (s: { from: number; to: number; chunk: number }): number => Math.ceil((s.to - s.from) / s.chunk);

export const SumSquaresSpecSchema = v.pipe(
	v.strictObject(
		{
			from: wholeNumber(FIELD_LABELS.from, 0, K_END_MAX - 1),
			to: wholeNumber(FIELD_LABELS.to, 1, K_END_MAX),
			chunk: wholeNumber(FIELD_LABELS.chunk, 1, CHUNK_MAX)
		},
		'A sum-of-squares spec has exactly the fields from, to and chunk'
	),
	// Only when the fields it reads passed their own checks: a bad one says what is wrong with it alone.
	v.rawCheck(({ dataset, addIssue }) => {
		if (!fieldsValid(dataset.issues, ['from', 'to', 'chunk'])) return;
		const s = dataset.value as { from: number; to: number; chunk: number };
		if (s.from >= s.to) addIssue({ message: RANGE_MESSAGE });
		else if (taskCount(s) > TASKS_MAX) addIssue({ message: TASKS_MESSAGE });
	})
);
export type SumSquaresSpec = v.InferOutput<typeof SumSquaresSpecSchema>;

/** One task: the terms from ≤ k < to, at most CHUNK_MAX of them. */
export const SumSquaresParamsSchema = v.pipe(
	v.strictObject({
		from: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(K_END_MAX - 1)),
		to: v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(K_END_MAX))
	}),
	v.check((p) => p.from < p.to && p.to - p.from <= CHUNK_MAX, `from must be below to, at most ${formatCount(CHUNK_MAX)} terms apart`)
);
export type SumSquaresParams = v.InferOutput<typeof SumSquaresParamsSchema>;
