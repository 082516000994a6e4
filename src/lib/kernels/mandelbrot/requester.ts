// The requester's side of mandelbrot: a finished render's verified tiles → one PNG. The PNG
// encoder loads only when a result is rendered, so pages that merely name the kernel (every page
// imports the protocol, and so the registry) do not carry it.
import type { KernelRequester } from '../types';
import { colourize } from './colour';
import type { MandelbrotSpec } from './spec';
import { splitMandelbrot } from './split';
import { assembleCounts } from './tiles';

export interface MandelbrotResult {
	width: number;
	height: number;
	/** The render's pixels, RGBA 8 bits per channel, coloured as the PNG and the page draw them. */
	rgba: Uint8ClampedArray;
	/** Tiles with no verified result (voided: computed by a key later caught cheating), left blank. */
	blankTiles: number;
}

/** Every tile placed where split put it; a tile with no verified result is blank (zero counts). */
function assembleRender(spec: MandelbrotSpec, results: ReadonlyMap<number, Uint8Array>): MandelbrotResult {
	const tiles = new Map(results);
	let blankTiles = 0;
	for (const task of splitMandelbrot(spec)) {
		if (tiles.has(task.idx)) continue;
		tiles.set(task.idx, new Uint8Array(task.resultBytes));
		blankTiles++;
	}
	return { width: spec.width, height: spec.height, rgba: colourize(assembleCounts(spec, tiles), spec.maxIter), blankTiles };
}

export const mandelbrotRequester: KernelRequester<MandelbrotSpec, MandelbrotResult> = {
	label: 'Fractal render',
	unit: { one: 'tile', many: 'tiles' },
	title: (spec) => `Mandelbrot ${spec.width}×${spec.height}`,
	assemble: assembleRender,
	async render(r) {
		const { encodePng } = await import('./png');
		return {
			bytes: encodePng(r.width, r.height, r.rgba),
			mediaType: 'image/png',
			extension: 'png',
			summary: `Mandelbrot ${r.width}×${r.height} PNG${r.blankTiles > 0 ? `, ${r.blankTiles} voided tile${r.blankTiles === 1 ? '' : 's'} blank` : ''}`
		};
	}
};
