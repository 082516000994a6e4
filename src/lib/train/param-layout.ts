// Parameters live in one flat Float32Array per set (base weights, LoRA adapter) described by a
// layout of named tensors: optimisers, deltas, compression and checks all work on the flat
// vector, and only the model looks at shapes.

export interface TensorSpec {
	name: string;
	shape: readonly number[];
}

interface TensorSlot extends TensorSpec {
	offset: number;
	size: number;
}

export interface ParamLayout {
	tensors: readonly TensorSlot[];
	size: number;
}

export function layoutOf(specs: readonly TensorSpec[]): ParamLayout {
	let offset = 0;
	const tensors = specs.map((s) => {
		const size = s.shape.reduce((a, b) => a * b, 1);
		const slot = { ...s, offset, size };
		offset += size;
		return slot;
	});
	const names = new Set(tensors.map((t) => t.name));
	if (names.size !== tensors.length) throw new Error('layout: duplicate tensor names');
	return { tensors, size: offset };
}

/** Views of every tensor of `flat` by name (subarrays: writes go to the flat vector). */
export function viewsOf(layout: ParamLayout, flat: Float32Array): Map<string, Float32Array> {
	if (flat.length !== layout.size) throw new RangeError(`expected ${layout.size} parameters, got ${flat.length}`);
	return new Map(layout.tensors.map((t) => [t.name, flat.subarray(t.offset, t.offset + t.size)]));
}

export function tensor(views: Map<string, Float32Array>, name: string): Float32Array {
	const t = views.get(name);
	if (!t) throw new Error(`no tensor ${name}`);
	return t;
}
