import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as v from 'valibot';
import { getKernel, KERNELS } from '../registry';
import { mandelbrotMeta, priceTileMicro } from './meta';
import { MandelbrotSpecSchema, type MandelbrotSpecInput } from './spec';
import { planView } from './view';

const base: MandelbrotSpecInput = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 300, height: 200, maxIter: 256, tile: 128 };

describe('spec checks', () => {
	it('accepts a normal view and refuses impossible ones', () => {
		expect(v.safeParse(MandelbrotSpecSchema, base).success).toBe(true);
		for (const bad of [{ zoom: '0' }, { zoom: '-1' }, { zoom: '0.1' }, { centerRe: '3.9' }, { zoom: '1e40' }, { width: 3840, height: 3840 }]) {
			expect(v.safeParse(MandelbrotSpecSchema, { ...base, ...bad }).success, JSON.stringify(bad)).toBe(false);
		}
	});
});

describe('planView', () => {
	it('picks F = 16·ceil((−log2 spacing + 8)/16)', () => {
		expect(planView({ ...base, zoom: '1', width: 512 }).limbs).toBe(2); // spacing 2^−7.4
		expect(planView({ ...base, zoom: '1', width: 1024 }).limbs).toBe(3); // 2^−8.4
		expect(planView({ ...base, zoom: '3e12', width: 512 }).limbs).toBe(5); // 2^−48.9
		expect(planView({ ...base, zoom: '3e15', width: 512 }).limbs).toBe(6); // 2^−58.8
	});
	it('puts pixel floor(W/2), floor(H/2) exactly on the rounded centre', () => {
		const p = planView({ ...base, width: 301, height: 17 });
		expect(p.left + 150n * p.step).toBe(-(1n << BigInt(p.fracBits - 1)));
		expect(p.top - 8n * p.step).toBe(0n);
	});
});

describe('split', () => {
	it('covers every pixel exactly once, deterministically, with exact byte sizes and prices', () => {
		fc.assert(
			fc.property(fc.integer({ min: 16, max: 700 }), fc.integer({ min: 16, max: 700 }), fc.constantFrom(64 as const, 128 as const, 256 as const), (width, h, tile) => {
				const height = Math.min(h, 2 * width); // keep the view within ±4
				const spec = v.parse(MandelbrotSpecSchema, { ...base, width, height, tile });
				const tasks = mandelbrotMeta.split(spec);
				expect(JSON.stringify(mandelbrotMeta.split(spec))).toBe(JSON.stringify(tasks));
				const seen = new Uint8Array(width * height);
				const plan = planView(spec);
				tasks.forEach((t, i) => {
					expect(t.idx).toBe(i);
					expect(v.parse(mandelbrotMeta.paramsSchema, JSON.parse(JSON.stringify(t.params)))).toEqual(t.params);
					expect(t.resultBytes).toBe(t.rect.w * t.rect.h * 4);
					expect(t.priceMicro).toBe(Math.ceil((t.rect.w * t.rect.h * spec.maxIter * plan.limbs) / 10_000));
					expect(BigInt(t.params.x0)).toBe(plan.left + BigInt(t.rect.x) * plan.step);
					expect(BigInt(t.params.y0)).toBe(plan.top - BigInt(t.rect.y) * plan.step);
					for (let y = t.rect.y; y < t.rect.y + t.rect.h; y++) for (let x = t.rect.x; x < t.rect.x + t.rect.w; x++) seen[y * width + x]! += 1;
				});
				expect(seen.every((s) => s === 1)).toBe(true);
			}),
			{ numRuns: 40 }
		);
	});
	it('prices the worst case', () => {
		expect(priceTileMicro(256, 256, 50_000, 8)).toBe(Math.ceil((256 * 256 * 50_000 * 8) / 10_000));
		expect(priceTileMicro(1, 1, 16, 2)).toBe(1);
	});
});

describe('registry', () => {
	it('finds mandelbrot and nothing else', () => {
		expect(getKernel('mandelbrot')).toBe(KERNELS.mandelbrot);
		expect(getKernel('toString')).toBeUndefined();
		expect(getKernel('nope')).toBeUndefined();
		expect(mandelbrotMeta).toMatchObject({ id: 'mandelbrot', version: 1, verification: 'exact' });
	});
});
