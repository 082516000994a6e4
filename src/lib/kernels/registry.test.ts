// The kernel contract as a whole: both registries name the same kernels with the same metas,
// every kernel's parts fit together, and nothing the relay imports can run a kernel.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { KERNEL_SPEC_SCHEMAS } from '../protocol/jobs';
import { COMPUTE, computeOnCpu, getCompute, prepareTask } from './compute-registry';
import { getKernel, KERNELS, type AnyKernelMeta } from './registry';

const here = dirname(fileURLToPath(import.meta.url));
/** Every registered kernel, looked at as any host does: by its contract, its types unknown. */
const ALL: AnyKernelMeta[] = Object.values(KERNELS);

/** Every file a module reaches through relative imports (static and re-exports), as paths under src/lib/kernels. */
function importGraph(entry: string): string[] {
	const seen = new Set<string>();
	const visit = (file: string) => {
		if (seen.has(file)) return;
		seen.add(file);
		const source = readFileSync(file, 'utf8');
		for (const m of source.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
			const target = join(dirname(file), m[1]!.replace(/\.js$/, ''));
			visit(target.endsWith('.ts') ? target : `${target}.ts`);
		}
	};
	visit(join(here, entry));
	return [...seen].map((f) => relative(here, f));
}

describe('kernel registry', () => {
	it('keys every kernel by its own id, in both registries, with the same meta', () => {
		expect(Object.keys(COMPUTE)).toEqual(Object.keys(KERNELS));
		for (const [id, meta] of Object.entries(KERNELS)) {
			expect(meta.id).toBe(id);
			expect(getKernel(id)).toBe(meta);
			expect(getCompute(id)?.meta).toBe(meta);
			expect(KERNEL_SPEC_SCHEMAS[id as keyof typeof KERNELS]).toBe(meta.specSchema);
		}
		expect(Object.keys(KERNEL_SPEC_SCHEMAS)).toEqual(Object.keys(KERNELS));
		expect(getCompute('toString')).toBeUndefined();
		expect(getCompute('nope')).toBeUndefined();
	});

	it('gives bisect kernels their step count and referee step, and no other kernel either', () => {
		for (const meta of ALL) {
			const compute = getCompute(meta.id);
			const bisect = meta.verification === 'bisect';
			expect(typeof meta.bisectSteps === 'function', meta.id).toBe(bisect);
			expect(typeof compute?.refereeStep === 'function', meta.id).toBe(bisect);
		}
	});

	it("fits every cost class's benchmark task to that class, and its bytes come from the CPU twin", async () => {
		for (const meta of ALL) {
			expect(meta.costClasses, meta.id).toBeGreaterThan(0);
			for (let cls = 0; cls < meta.costClasses; cls++) {
				const { params, priceMicro } = meta.benchmarkParams(cls);
				expect(v.safeParse(meta.paramsSchema, params).success, `${meta.id} class ${cls}`).toBe(true);
				expect(meta.costClass(params)).toBe(cls);
				expect(priceMicro).toBeGreaterThan(0);
			}
			const out = await computeOnCpu(meta.id, meta.version, meta.benchmarkParams(0).params);
			expect(out.bytes.length, meta.id).toBeGreaterThan(0);
			expect(out.states === null, meta.id).toBe(meta.verification !== 'bisect');
		}
	});

	it('refuses a task of an unknown kernel, another version, or params its schema refuses', () => {
		const { params } = KERNELS.mandelbrot.benchmarkParams(0);
		expect(prepareTask('mandelbrot', 1, params).compute).toBe(COMPUTE.mandelbrot);
		expect(() => prepareTask('nope', 1, params)).toThrow('unknown kernel nope');
		expect(() => prepareTask('mandelbrot', 2, params)).toThrow('kernel mandelbrot is version 1 here, the task wants 2');
		expect(() => prepareTask('mandelbrot', 1, { ...params, w: 0 })).toThrow(/^invalid mandelbrot params: /);
	});

	it('keeps shaders, CPU twins and compute sides out of everything the relay imports', () => {
		const reached = importGraph('registry.ts');
		expect(reached).toContain('mandelbrot/meta.ts');
		expect(reached).toContain('mc-pi/requester.ts');
		const runnable = reached.filter((f) => /(^|\/)(compute|compute-registry|cpu-[^/]*|gpu[^/]*|[^/]*-wgsl|rng|trace)\.ts$/.test(f));
		expect(runnable).toEqual([]);
		// Every page imports the protocol, and so this graph: the PNG encoder loads only on render.
		expect(reached.filter((f) => /from 'fast-png'/.test(readFileSync(join(here, f), 'utf8')))).toEqual([]);
		// ...and the graph walk does find them from the compute side.
		expect(importGraph('compute-registry.ts')).toEqual(expect.arrayContaining(['mandelbrot/cpu-twin.ts', 'mandelbrot/mandelbrot-wgsl.ts', 'mc-pi/gpu.ts']));
	});
});
