// The shipped fine-tuning corpus as the session uses it: documents split into training,
// validation and canary sets by a fixed seed, plus fixed evaluation batches.
import { fixedBatches, splitCorpus, splitDocuments, tokensOf } from './corpus';
import type { Batch } from './transformer';

export const CORPUS_SPLIT_SEED = 1;
/** Fixed evaluation batches: enough tokens that the loss is steady between rounds. */
export const EVAL_BATCHES = 4;
export const EVAL_BATCH_SIZE = 8;

export interface TrainingData {
	train: Uint8Array;
	validation: Batch[];
	canary: Batch[];
}

export function prepareTrainingData(raw: string, context: number): TrainingData {
	const split = splitCorpus(splitDocuments(raw), CORPUS_SPLIT_SEED);
	if (split.train.length === 0 || split.validation.length === 0 || split.canary.length === 0) throw new Error('the text is too short to split into training, validation and canary parts');
	return {
		train: tokensOf(split.train),
		validation: fixedBatches(tokensOf(split.validation), EVAL_BATCHES, EVAL_BATCH_SIZE, context, 11),
		canary: fixedBatches(tokensOf(split.canary), EVAL_BATCHES, EVAL_BATCH_SIZE, context, 12)
	};
}
