import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSpec } from '../src/lib/client/index.js';
import { suggestedMaxIter } from '../src/lib/kernels/mandelbrot/suggested-iterations.js';
import { getKernel, type AnyKernelMeta } from '../src/lib/kernels/registry.js';
import type { Values } from './command.js';
import { CliError, EXIT } from './exit-codes.js';
import { buildSpec, SPEC_FILE_BYTES_MAX, specFields } from './spec-args.js';

const kernel = (id: string): AnyKernelMeta => getKernel(id)!;
const dir = mkdtempSync(join(tmpdir(), 'mycelia-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refused(id: string, values: Values): Promise<string> {
	const err = await buildSpec(id, kernel(id), values).then(
		() => null,
		(e: unknown) => e
	);
	expect(err).toBeInstanceOf(CliError);
	expect((err as CliError).exit).toBe(EXIT.usage);
	return (err as CliError).message;
}

describe('specFields', () => {
	it("types each top-level field from the kernel's schema", () => {
		expect(Object.fromEntries(specFields(kernel('mandelbrot')))).toEqual({ centerRe: 'string', centerIm: 'string', zoom: 'string', width: 'number', height: 'number', maxIter: 'number', tile: 'number' });
		expect(Object.fromEntries(specFields(kernel('sum-squares')))).toEqual({ from: 'number', to: 'number', chunk: 'number' });
	});
});

describe('buildSpec', () => {
	it("is the jobs page's starting view for mandelbrot when no field is given, and a valid spec", async () => {
		const spec = await buildSpec('mandelbrot', kernel('mandelbrot'), {});
		expect(spec).toEqual({ centerRe: '-0.743643887037151', centerIm: '0.131825904205330', zoom: '180', width: 640, height: 480, maxIter: suggestedMaxIter(180), tile: 128 });
		expect(() => checkSpec('mandelbrot', spec)).not.toThrow();
	});

	it('puts typed field flags over the default; the iterations follow a given zoom until given', async () => {
		const spec = await buildSpec('mandelbrot', kernel('mandelbrot'), { width: '128', height: '64', zoom: '1000', centerIm: '-0.1' });
		expect(spec).toMatchObject({ width: 128, height: 64, zoom: '1000', centerIm: '-0.1', maxIter: suggestedMaxIter(1000) });
		expect(suggestedMaxIter(1000)).not.toBe(suggestedMaxIter(180));
		expect(await buildSpec('mandelbrot', kernel('mandelbrot'), { zoom: '1000', maxIter: '77' })).toMatchObject({ maxIter: 77 });
	});

	it('reads --spec as JSON or @file, with field flags over it', async () => {
		const whole = { from: 1, to: 100, chunk: 10 };
		expect(await buildSpec('sum-squares', kernel('sum-squares'), { spec: JSON.stringify(whole) })).toEqual(whole);
		const file = join(dir, 'spec.json');
		writeFileSync(file, JSON.stringify(whole));
		expect(await buildSpec('sum-squares', kernel('sum-squares'), { spec: `@${file}`, to: '50' })).toEqual({ ...whole, to: 50 });
		expect(checkSpec('sum-squares', await buildSpec('sum-squares', kernel('sum-squares'), { from: '0', to: '9', chunk: '3' }))).toEqual({ from: 0, to: 9, chunk: 3 });
	});

	it('says what is wrong with a flag or a spec, by name', async () => {
		expect(await refused('mandelbrot', { width: 'wide' })).toBe('--width wants a number, not "wide"');
		expect(await refused('mandelbrot', { seed: '3' })).toMatch(/^mandelbrot has no field --seed; its fields are --centerRe, --centerIm, --zoom, --width, --height, --maxIter, --tile$/);
		expect(await refused('sum-squares', { from: '1' })).toBe('sum-squares needs --to, --chunk (or --spec JSON)');
		expect(await refused('sum-squares', { spec: '{"from": 1,' })).toMatch(/^--spec is not JSON/);
		expect(await refused('sum-squares', { spec: '[1, 2]' })).toBe('--spec must be a JSON object');
		expect(await refused('sum-squares', { spec: `@${join(dir, 'missing.json')}` })).toMatch(/could not read the spec file .*missing\.json/);
		const big = join(dir, 'big.json');
		writeFileSync(big, ' '.repeat(SPEC_FILE_BYTES_MAX + 1));
		expect(await refused('sum-squares', { spec: `@${big}` })).toMatch(/larger than a spec/);
	});
});
