// The requester's side of mandelbrot: a finished render's verified tiles → one PNG.
import type { KernelRequester } from '../types';
import { assemblePng } from './png';
import type { MandelbrotSpec } from './spec';
import { splitMandelbrot } from './split';

export interface MandelbrotResult {
	png: Uint8Array;
	width: number;
	height: number;
	/** Tiles with no verified result (voided: computed by a key later caught cheating), left blank. */
	blankTiles: number;
}

/** Every tile placed where split put it; a tile with no verified result is blank (zero counts). */
export function assembleRender(spec: MandelbrotSpec, results: ReadonlyMap<number, Uint8Array>): MandelbrotResult {
	const tiles = new Map(results);
	let blankTiles = 0;
	for (const task of splitMandelbrot(spec)) {
		if (tiles.has(task.idx)) continue;
		tiles.set(task.idx, new Uint8Array(task.resultBytes));
		blankTiles++;
	}
	return { png: assemblePng(spec, tiles), width: spec.width, height: spec.height, blankTiles };
}

export const mandelbrotRequester: KernelRequester<MandelbrotSpec, MandelbrotResult> = {
	label: 'Fractal render',
	unit: { one: 'tile', many: 'tiles' },
	title: (spec) => `Mandelbrot ${spec.width}×${spec.height}`,
	assemble: assembleRender,
	render: (r) => ({
		bytes: r.png,
		mediaType: 'image/png',
		extension: 'png',
		summary: `Mandelbrot ${r.width}×${r.height} PNG${r.blankTiles > 0 ? `, ${r.blankTiles} voided tile${r.blankTiles === 1 ? '' : 's'} blank` : ''}`
	})
};
