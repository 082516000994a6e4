// The shipped fine-tuning corpus as the session uses it: documents split into training,
// validation and canary sets by a fixed seed, plus fixed evaluation batches.
import { fixedBatches, shuffled, splitCorpus, splitDocuments, tokensOf } from './corpus';
import type { Batch } from './transformer';

const CORPUS_SPLIT_SEED = 1;
/**
 * The training documents are shuffled once, by this seed: the host hands the stream out in turn,
 * and in the text's own order (an alphabetical dictionary) every shard would be neighbouring
 * entries, ABDICATION to ABILITY, a sample of nothing in particular.
 */
const TRAIN_ORDER_SEED = 2;
/** Fixed evaluation batches: enough tokens that the loss is steady between rounds. */
const EVAL_BATCHES = 4;
const EVAL_BATCH_SIZE = 8;

export interface TrainingData {
	train: Uint8Array;
	validation: Batch[];
	canary: Batch[];
}

export function prepareTrainingData(raw: string, context: number): TrainingData {
	const split = splitCorpus(splitDocuments(raw), CORPUS_SPLIT_SEED);
	if (split.train.length === 0 || split.validation.length === 0 || split.canary.length === 0) throw new Error('the text is too short to split into training, validation and canary parts');
	return {
		train: tokensOf(shuffled(split.train, TRAIN_ORDER_SEED)),
		validation: fixedBatches(tokensOf(split.validation), EVAL_BATCHES, EVAL_BATCH_SIZE, context, 11),
		canary: fixedBatches(tokensOf(split.canary), EVAL_BATCHES, EVAL_BATCH_SIZE, context, 12)
	};
}
