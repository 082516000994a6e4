// Regenerates test/samples/mandelbrot-parity.json: for each parity case, the params and the
// SHA-256 of the result bytes, computed by the BigInt reference and checked against the CPU twin.
// The node test re-checks the twin and the browser test checks WebGPU against these hashes.
// Run: npx tsx scripts/make-mandelbrot-fixtures.ts
import { writeFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { colourize } from '../src/lib/kernels/mandelbrot/colour';
import { countsToBytes } from '../src/lib/kernels/mandelbrot/counts';
import { computeTileCpu } from '../src/lib/kernels/mandelbrot/cpu-twin';
import { decodeParams } from '../src/lib/kernels/mandelbrot/params';
import { PARITY_CASES, PNG_CASE, parityParams, pngCaseTiles } from '../src/lib/kernels/mandelbrot/parity-cases';
import { assemblePng } from '../src/lib/kernels/mandelbrot/png';
import { computeTileRef } from '../src/lib/kernels/mandelbrot/reference';

const out = PARITY_CASES.map((c) => {
	const params = parityParams(c);
	const reference = countsToBytes(computeTileRef(decodeParams(params)));
	const twin = computeTileCpu(params);
	const sha = bytesToHex(sha256(reference));
	if (bytesToHex(sha256(twin)) !== sha) throw new Error(`${c.name}: CPU twin differs from the reference`);
	const distinctCounts = new Set(new Uint32Array(reference.buffer, reference.byteOffset, reference.length / 4)).size;
	console.log(`${c.name}: N=${params.limbs} distinct=${distinctCounts} ${sha}`);
	return { name: c.name, params, distinctCounts, sha256: sha };
});
// Colouring and PNG encoding must also be identical in every engine: pin their hashes too.
const ramp = new Uint32Array(50_001).map((_, i) => i);
const colourSha256 = bytesToHex(sha256(new Uint8Array(colourize(ramp, 50_000).buffer)));
const pngSha256 = bytesToHex(sha256(assemblePng(PNG_CASE, pngCaseTiles())));
console.log(`colour ${colourSha256}\npng ${pngSha256}`);
const fixture = { kernel: 'mandelbrot', version: 1, cases: out, colourSha256, pngSha256 };
writeFileSync(new URL('../test/samples/mandelbrot-parity.json', import.meta.url), JSON.stringify(fixture, null, '\t') + '\n');
