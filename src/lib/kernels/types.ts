import type * as v from 'valibot';

/** How a kernel's results are checked (see DESIGN.md, "Verification classes"). */
export type VerificationClass = 'exact' | 'bisect';

/** Where a task's output lands in the assembled output (pixels for image kernels). */
export interface Rect {
	x: number;
	y: number;
	w: number;
	h: number;
}

/** One unit of work made by `split`: the relay stores it, a worker computes it. */
export interface TaskPlan<Params> {
	idx: number;
	params: Params;
	rect: Rect;
	/** Exact length of a correct result; the relay refuses any other size before hashing. */
	resultBytes: number;
	/** What one accepted replica of this task earns its worker, in micro-credits. */
	priceMicro: number;
}

/**
 * A kernel's contract, importable by the relay: no shader and no CPU twin here, so the relay
 * can split and price work without ever being able to run it.
 */
export interface KernelMeta<Spec, Params> {
	id: string;
	version: number;
	verification: VerificationClass;
	specSchema: v.GenericSchema<unknown, Spec>;
	paramsSchema: v.GenericSchema<unknown, Params>;
	split(spec: Spec): TaskPlan<Params>[];
	/**
	 * Number of steps T of a task, for `bisect` kernels (required there, absent otherwise): the
	 * worker commits to a Merkle root over T per-step state hashes (T a power of two), and a
	 * dispute bisects over steps 1..T to the first one the replicas disagree on.
	 */
	bisectSteps?(params: Params): number;
	/**
	 * Device fit. Tasks of one kernel can differ in cost per micro-credit of price by an order of
	 * magnitude (a deep Mandelbrot tile runs a slower arithmetic path than a shallow one), so each
	 * task falls in one of `costClasses` classes, and a device measures its speed once per class
	 * on `benchmarkParams(cls)`: a small task of that class whose price is exact (no early exits),
	 * so a measured speed bounds every task of the class. The relay fits leases and refuses tasks
	 * a device is too slow for with those speeds.
	 */
	costClasses: number;
	costClass(params: Params): number;
	benchmarkParams(cls: number): { params: Params; priceMicro: number };
}
