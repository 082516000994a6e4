// `npm run bench -- mandelbrot [--quick]`: the exact CPU twin against a plain f64 escape-time loop
// on the same pixels (the twin's fixed-point constants converted to f64). Iterations = sum of a
// method's own counts over all pixels; each rate is the median of several timed repeats after a
// warmup. Also reports how many pixels' counts differ between f64 and exact (f64 breaks deep).
import { computeCountsCpu } from '../src/lib/kernels/mandelbrot/cpu-twin';
import type { TileJob } from '../src/lib/kernels/mandelbrot/params';
import { planView } from '../src/lib/kernels/mandelbrot/view';
import { report } from './report';

interface BenchView {
	name: string;
	centerRe: string;
	centerIm: string;
	zoom: string;
	side: number;
	maxIter: number;
	repeats: number;
}

const VIEWS: readonly BenchView[] = [
	{ name: 'shallow', centerRe: '-0.75', centerIm: '0', zoom: '1', side: 512, maxIter: 1000, repeats: 5 },
	{ name: 'seahorse', centerRe: '-0.7453', centerIm: '0.1127', zoom: '300', side: 512, maxIter: 1000, repeats: 3 },
	// Misiurewicz point, 1e-6 wide: N = 4.
	{ name: 'deep-1e-6', centerRe: '-0.10109636384562', centerIm: '0.95628651080914', zoom: '3e6', side: 256, maxIter: 1000, repeats: 3 },
	// Misiurewicz point, 1e-12 wide: N = 5. Smaller, since the deep paths are slower.
	{ name: 'deep-1e-12', centerRe: '-0.10109636384562', centerIm: '0.95628651080914', zoom: '3e12', side: 256, maxIter: 1000, repeats: 3 },
	// Misiurewicz point, 1e-15 wide: N = 6.
	{ name: 'deep-1e-15', centerRe: '-0.10109636384562', centerIm: '0.95628651080914', zoom: '3e15', side: 256, maxIter: 1000, repeats: 3 }
];

function jobOf(view: BenchView): TileJob {
	const plan = planView({ ...view, width: view.side, height: view.side });
	return { limbs: plan.limbs, fracBits: plan.fracBits, maxIter: view.maxIter, x0: plan.left, y0: plan.top, step: plan.step, w: view.side, h: view.side };
}

/** The plain f64 loop every Mandelbrot tutorial writes. */
function f64Counts(cxs: Float64Array, cys: Float64Array, maxIter: number): Uint32Array {
	const out = new Uint32Array(cxs.length * cys.length);
	for (let py = 0; py < cys.length; py++) {
		const cy = cys[py]!;
		for (let px = 0; px < cxs.length; px++) {
			const cx = cxs[px]!;
			let x = 0;
			let y = 0;
			let i = 0;
			for (; i < maxIter; i++) {
				const x2 = x * x;
				const y2 = y * y;
				if (x2 + y2 > 4) break;
				y = 2 * x * y + cy;
				x = x2 - y2 + cx;
			}
			out[py * cxs.length + px] = i;
		}
	}
	return out;
}

function sum(counts: Uint32Array): number {
	let s = 0;
	for (let i = 0; i < counts.length; i++) s += counts[i]!;
	return s;
}

function median(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)]!;
}

/** Median iterations per second of `run` over `repeats` timed runs after one warmup. */
function rate(run: () => Uint32Array, repeats: number): { perSecond: number; counts: Uint32Array } {
	let counts = run(); // warmup: JIT and caches
	const rates: number[] = [];
	for (let r = 0; r < repeats; r++) {
		const t0 = performance.now();
		counts = run();
		rates.push(sum(counts) / ((performance.now() - t0) / 1000));
	}
	return { perSecond: median(rates), counts };
}

export async function main(args: string[]): Promise<void> {
	const quick = args.includes('--quick');
	for (const view of VIEWS) {
		const job = jobOf(quick ? { ...view, side: view.side / 4 } : view);
		const scale = 2 ** -job.fracBits;
		const cxs = Float64Array.from({ length: job.w }, (_, px) => Number(job.x0 + BigInt(px) * job.step) * scale);
		const cys = Float64Array.from({ length: job.h }, (_, py) => Number(job.y0 - BigInt(py) * job.step) * scale);
		const repeats = quick ? 1 : view.repeats;
		const twin = rate(() => computeCountsCpu(job), repeats);
		const f64 = rate(() => f64Counts(cxs, cys, job.maxIter), repeats);
		let differ = 0;
		for (let i = 0; i < twin.counts.length; i++) if (twin.counts[i] !== f64.counts[i]) differ++;
		report('mandelbrot', `cpu_twin_iter_per_s:${view.name}`, twin.perSecond, 'iter/s', { metric: `f64_loop_iter_per_s:${view.name}`, value: f64.perSecond });
		report('mandelbrot', `f64_pixels_differing:${view.name}`, differ, 'pixels', { metric: `pixels_total:${view.name}(limbs=${job.limbs})`, value: twin.counts.length });
	}
}
