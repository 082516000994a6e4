import type * as v from 'valibot';

/** How a kernel's results are checked (see DESIGN.md, "Verification classes"). */
type VerificationClass = 'exact' | 'bisect';

/** Where a task's output lands in the assembled output (pixels for image kernels). */
interface Rect {
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
 * can split and price work without ever being able to run it. Its compute side (CPU twin,
 * WebGPU runner, referee step) is a `KernelCompute` in the kernel's `compute.ts`.
 */
export interface KernelMeta<Spec, Params, Result = unknown> {
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
	/** How a requester names the work and turns a finished job's accepted bytes into its result. */
	requester: KernelRequester<Spec, Result>;
}

/** A requester's result handed over: one file to save, and one line of words about it. */
export interface RenderedResult {
	bytes: Uint8Array;
	mediaType: string;
	/** File name extension without the dot: `png`, `json`. */
	extension: string;
	summary: string;
}

/**
 * The requester's side of a kernel: words for its pages and programs, and how the accepted
 * result bytes of a finished job become the result (a PNG, an estimate). Pure, no compute: the
 * bytes were computed and agreed on by the network; this only puts them together.
 */
export interface KernelRequester<Spec, Result> {
	/** What a requester asks for, in words: "Fractal render". */
	label: string;
	/** What one task is called: { one: 'tile', many: 'tiles' }. */
	unit: { one: string; many: string };
	/** One job in a few words: "Mandelbrot 640×480". */
	title(spec: Spec): string;
	/**
	 * The result from every task's accepted bytes by task idx; a task with no verified result (a
	 * voided one) is absent and the kernel says what stands in for it. Throws a RangeError on
	 * bytes of the wrong size, or when nothing verified is left to build a result from.
	 */
	assemble(spec: Spec, results: ReadonlyMap<number, Uint8Array>): Result;
	/** Async so an encoder (a PNG's) loads only when a result is rendered. */
	render(result: Result): Promise<RenderedResult>;
}

/**
 * A task's output on any backend: the canonical result bytes, and for `bisect` kernels every
 * per-step state (concatenated, `stateBytes` each) from which a contributor builds its trace.
 */
export interface KernelOutput {
	bytes: Uint8Array;
	states: Uint8Array | null;
	stateBytes: number;
}

/** A kernel's WebGPU runner on one device (pipelines cached until `destroy`). */
export interface GpuRunner<Params> {
	compute(params: Params, signal?: AbortSignal): Promise<KernelOutput>;
	destroy(): void;
}

/**
 * A kernel's compute side, for contributors only (the browser's compute worker, a headless
 * worker, a referee): never imported by the relay. Both backends give identical bytes.
 */
export interface KernelCompute<Spec, Params> {
	meta: KernelMeta<Spec, Params>;
	/**
	 * The CPU twin on validated params. Async so a long computation yields now and then (see
	 * cpu-yield.ts) and hears an abort: it rejects with an AbortError when `signal` aborts.
	 */
	cpu(params: Params, signal?: AbortSignal): Promise<KernelOutput>;
	/** The WebGPU runner on a device (WGSL in the kernel's folder). */
	createGpu(device: GPUDevice): GpuRunner<Params>;
	/**
	 * `bisect` kernels: the state after step `index` (1-based) recomputed from the agreed state
	 * after `index − 1` (`prior` null: the initial state, index 1 only). What a trusted referee
	 * computes when a dispute lands on one step. Throws on params or a prior no honest run reaches.
	 */
	refereeStep?(params: unknown, index: number, prior: Uint8Array | null): Uint8Array;
}
