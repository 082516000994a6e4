// What `mycelia submit <kernel>` asks for when flags leave fields out: the jobs page's starting
// form (src/routes/jobs/+page.svelte), so `npx mycelia submit mandelbrot` renders the same view
// a newcomer sees there. A kernel without an entry needs every field of its spec given.
import { suggestedMaxIter } from '../src/lib/kernels/mandelbrot/suggested-iterations.js';

type Given = Record<string, unknown>;

export const DEFAULT_SPECS: Record<string, (given: Given) => Record<string, unknown>> = {
	// As on the page, the iterations follow the zoom until they are given.
	mandelbrot: (given) => ({
		centerRe: '-0.743643887037151',
		centerIm: '0.131825904205330',
		zoom: '180',
		width: 640,
		height: 480,
		maxIter: suggestedMaxIter(Number(typeof given.zoom === 'string' ? given.zoom : '180')),
		tile: 128
	}),
	'mc-pi': () => ({ seed: 2026, chains: 64, steps: 64, samplesPerStep: 16_384 })
};
