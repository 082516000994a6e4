// The client API against the real relay: connect (and a wrong URL refused in words), the grant,
// a job submitted, followed and verified by the client, the PNG equal to the CPU twin's render;
// cancel; an unknown kernel and an unfunded key refused before and by the relay.
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Relay } from '../../../relay/server.js';
import { ApiClient, submitReplicas } from '../../../relay/testing/api-client.js';
import { NodeSigner } from '../../../relay/testing/node-signer.js';
import { startTestRelay } from '../../../relay/testing/test-relay.js';
import { computeOnCpu } from '../kernels/compute-registry.js';
import { getKernel } from '../kernels/registry.js';
import { Mycelia, MyceliaError, newIdentity, type Progress } from './index.js';

const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 128, height: 64, maxIter: 30, tile: 64 };

/** Two independent workers compute every open task of the relay on the CPU twin. */
async function computeAll(url: string): Promise<void> {
	const [a, b] = [new ApiClient(url, new NodeSigner()), new ApiClient(url, new NodeSigner())];
	for (;;) {
		const [la] = (await a.claim({ maxTasks: 1, kernels: ['mandelbrot'] })).body.leases;
		const [lb] = (await b.claim({ maxTasks: 1, kernels: ['mandelbrot'] })).body.leases;
		if (!la || !lb) return;
		const out = (await computeOnCpu(la.kernel, la.kernelVersion, la.params)).bytes;
		await submitReplicas([[a, la, out], [b, lb, out]]);
	}
}

describe('Mycelia client', () => {
	let relay: Relay;
	beforeAll(async () => {
		relay = await startTestRelay({});
	});
	afterAll(async () => {
		await relay?.close();
	});

	it('submits a render, follows it, checks its evidence and renders the PNG the CPU twin would', async () => {
		const m = await Mycelia.connect({ relay: relay.url, identity: newIdentity() });
		await m.grant();
		expect((await m.balance()).starterMicro).toBeGreaterThan(0);
		const job = await m.submit('mandelbrot', SPEC);
		const progress: Progress[] = [];
		const [result] = await Promise.all([job.result({ onProgress: (p) => progress.push(p) }), computeAll(relay.url)]);
		expect(result.job.state).toBe('completed');
		expect(result.evidence.ok).toBe(true);
		expect(result.evidence.keys).toHaveLength(2);
		expect(result.rendered.mediaType).toBe('image/png');
		expect(progress.at(-1)).toMatchObject({ state: 'completed', tasksDone: 2, tasks: 2 });

		// The same PNG from the CPU twin alone.
		const kernel = getKernel('mandelbrot')!;
		const spec = v.parse(kernel.specSchema, SPEC);
		const tiles = new Map<number, Uint8Array>();
		for (const [i, t] of kernel.split(spec).entries()) tiles.set(i, (await computeOnCpu('mandelbrot', kernel.version, t.params)).bytes);
		const twin = await kernel.requester.render(kernel.requester.assemble(spec, tiles));
		expect(Buffer.from(result.rendered.bytes).equals(Buffer.from(twin.bytes))).toBe(true);
	});

	it('cancels, and says in words what cannot be done', async () => {
		const m = await Mycelia.connect({ relay: relay.url, identity: newIdentity() });
		await expect(m.submit('mandelbrot', SPEC)).rejects.toThrow(/the job was not created: .*(balance|credits)/i);
		await m.grant();
		const job = await m.submit('mandelbrot', SPEC);
		expect((await job.cancel()).state).toBe('cancelled');
		await expect(job.result()).rejects.toThrow(/is cancelled, not completed/);
		await expect(m.submit('no-such-kernel', {})).rejects.toThrow(/unknown kernel "no-such-kernel"/);
		await expect(m.submit('mandelbrot', { ...SPEC, width: -3 })).rejects.toThrow(/invalid mandelbrot spec: width/);
		const wrong = Mycelia.connect({ relay: 'http://127.0.0.1:9', identity: newIdentity() });
		await expect(wrong).rejects.toBeInstanceOf(MyceliaError);
		await expect(Mycelia.connect({ relay: 'http://127.0.0.1:9', identity: newIdentity() })).rejects.toThrow(/no Mycelia relay at http:\/\/127.0.0.1:9: the relay could not be reached/);
		await expect(Mycelia.connect({ relay: 'not a url', identity: newIdentity() })).rejects.toThrow(/is not a URL/);
	});
});
