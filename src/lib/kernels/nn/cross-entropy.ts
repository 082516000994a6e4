// Softmax cross-entropy over the vocabulary, the CPU twin of cross-entropy.wgsl: mean loss
// over n rows of logits and, in the same pass, its gradient (softmax − one-hot) / n.

export function crossEntropy(logits: Float32Array, targets: ArrayLike<number>, n: number, vocab: number, dLogits: Float32Array | null): number {
	let loss = 0;
	for (let i = 0; i < n; i++) {
		const o = i * vocab;
		let max = -Infinity;
		for (let j = 0; j < vocab; j++) if (logits[o + j]! > max) max = logits[o + j]!;
		let z = 0;
		for (let j = 0; j < vocab; j++) z += Math.exp(logits[o + j]! - max);
		const target = targets[i]!;
		if (!(target >= 0 && target < vocab)) throw new RangeError(`cross-entropy: target ${target} outside the vocabulary`);
		loss += Math.log(z) + max - logits[o + target]!;
		if (dLogits) {
			for (let j = 0; j < vocab; j++) dLogits[o + j] = Math.exp(logits[o + j]! - max) / z / n;
			dLogits[o + target]! -= 1 / n;
		}
	}
	return loss / n;
}
