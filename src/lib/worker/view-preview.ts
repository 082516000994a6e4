// The requester's look before paying: a fractal view previewed at a few pixels by the kernel's
// exact CPU twin on one compute worker (the work is bounded, kernels/mandelbrot/preview.ts, but
// can reach a couple of hundred ms on a phone, so never on the main thread).
import { colourize } from '$lib/kernels/mandelbrot/colour';
import { bytesToCounts } from '$lib/kernels/mandelbrot/counts';
import { mandelbrotMeta } from '$lib/kernels/mandelbrot/meta';
import { planPreview, planProbe, uniformity, uniformWarning, type PreviewPlan, type UniformWarning } from '$lib/kernels/mandelbrot/preview';
import type { MandelbrotSpec } from '$lib/kernels/mandelbrot/spec';
import { ComputePool } from './pool';

export interface ViewPreview {
	w: number;
	h: number;
	maxIter: number;
	/** RGBA for `new ImageData(rgba, w, h)`, coloured as the finished render will be. */
	rgba: Uint8ClampedArray<ArrayBuffer>;
	/** Set when the view would come out one flat colour. */
	warning: UniformWarning | null;
	/** How long the page waited for the preview's computations (the probe's included). */
	ms: number;
}

export class ViewPreviewer {
	private pool: ComputePool | null = null;

	/**
	 * The preview of a valid spec, or null when even a dozen pixels would cost more than the
	 * bound. Rejects with an AbortError when `signal` aborts (a newer spec replaced this one).
	 */
	async preview(spec: MandelbrotSpec, signal?: AbortSignal): Promise<ViewPreview | null> {
		const plan = planPreview(spec);
		if (!plan) return null;
		this.pool ??= new ComputePool(1, { backend: 'cpu' });
		await this.pool.init();
		const started = performance.now();
		const counts = await this.counts(plan, signal);
		const u = uniformity(counts, plan.maxIter);
		// All black: a few pixels at many more iterations say how many the view needs.
		const probePlan = u.kind === 'inside' ? planProbe(spec) : null;
		const probe = probePlan ? { iterations: probePlan.maxIter, counts: await this.counts(probePlan, signal) } : null;
		const ms = performance.now() - started;
		return { w: plan.w, h: plan.h, maxIter: plan.maxIter, rgba: colourize(counts, plan.maxIter), warning: uniformWarning(u, spec.maxIter, probe), ms };
	}

	private async counts(plan: PreviewPlan, signal?: AbortSignal): Promise<Uint32Array> {
		if (!this.pool) throw new Error('previewer is disposed');
		const out = await this.pool.compute(0, mandelbrotMeta.id, mandelbrotMeta.version, plan.params, signal);
		return bytesToCounts(out.bytes);
	}

	dispose(): void {
		this.pool?.terminate();
		this.pool = null;
	}
}
