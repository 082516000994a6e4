// The CLI end to end: `node bin/mycelia.mjs …` as child processes against a real relay. A key is
// created, the starter grant taken, a render submitted from field flags and watched while two
// Node workers compute it on the CPU twin; `result --out` checks the evidence and writes the PNG
// the CPU twin renders. Then cancel, and the errors a newcomer meets: a wrong relay URL (3), an
// unknown kernel (2), an unfunded key and a second grant (4), each in words on stderr.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Relay } from '../../relay/server.js';
import { ApiClient, submitReplicas } from '../../relay/testing/api-client.js';
import { NodeSigner } from '../../relay/testing/node-signer.js';
import { startTestRelay } from '../../relay/testing/test-relay.js';
import { computeOnCpu } from '../../src/lib/kernels/compute-registry.js';
import { REPO_ROOT, renderInNode, sameBytes } from './harness';

const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 128, height: 64, maxIter: 30, tile: 64 };
/** The same spec as flags (a value starting with a dash after "="). */
const SPEC_FLAGS = ['--centerRe=-0.5', '--centerIm', '0', '--zoom', '1', '--width', '128', '--height', '64', '--maxIter', '30', '--tile', '64'];
const CLI_MS_MAX = 60_000;

let relay: Relay;
let dir: string;
beforeAll(async () => {
	relay = await startTestRelay({});
	dir = mkdtempSync(join(tmpdir(), 'mycelia-cli-e2e-'));
});
afterAll(async () => {
	await relay?.close();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Ran {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** One CLI run to its end (never blocking this process's event loop: the relay runs in it). */
function mycelia(args: string[], env: Record<string, string> = {}): Promise<Ran> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['bin/mycelia.mjs', ...args], {
			cwd: REPO_ROOT,
			env: { ...process.env, MYCELIA_RELAY: relay.url, MYCELIA_KEY: join(dir, 'key.json'), ...env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		const timer = setTimeout(() => child.kill('SIGKILL'), CLI_MS_MAX);
		child.on('error', reject);
		child.on('close', (code) => {
			clearTimeout(timer);
			resolve({ code, stdout, stderr });
		});
	});
}

const show = (r: Ran) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

/** Two independent workers compute every open task on the CPU twin; their keys. */
async function computeAll(): Promise<string[]> {
	const [a, b] = [new ApiClient(relay.url, new NodeSigner()), new ApiClient(relay.url, new NodeSigner())];
	for (;;) {
		const [la] = (await a.claim({ maxTasks: 1, kernels: ['mandelbrot'] })).body.leases;
		const [lb] = (await b.claim({ maxTasks: 1, kernels: ['mandelbrot'] })).body.leases;
		if (!la || !lb) return [a.key, b.key].sort();
		const out = (await computeOnCpu(la.kernel, la.kernelVersion, la.params)).bytes;
		await submitReplicas([[a, la, out], [b, lb, out]]);
	}
}

test('key, grant, submit, watch, result, status and cancel through the CLI, and its errors', async () => {
	const created = await mycelia(['key', 'create']);
	expect(created.code, show(created)).toBe(0);
	const key = created.stdout.trim();
	expect(key).toMatch(/^[0-9a-f]{64}$/);

	const granted = await mycelia(['grant', '--json']);
	expect(granted.code, show(granted)).toBe(0);
	expect(JSON.parse(granted.stdout)).toMatchObject({ ok: true, grant: { key, grantedMicro: 50_000_000 } });

	const submitted = await mycelia(['submit', 'mandelbrot', ...SPEC_FLAGS]);
	expect(submitted.code, show(submitted)).toBe(0);
	const id = submitted.stdout.trim();
	expect(id).toMatch(/^j[0-9a-f]{24}$/);
	expect(submitted.stderr).toMatch(new RegExp(`submitted job ${id}: Mandelbrot 128×64, 2 tiles, budget [\\d.]+ credits`));

	// Watched (not a terminal: one line per change) while two workers compute it.
	const [watched, workers] = await Promise.all([mycelia(['watch', id]), computeAll()]);
	expect(watched.code, show(watched)).toBe(0);
	expect(watched.stdout).toMatch(new RegExp(`^job ${id} completed: 2 / 2 tiles verified, [\\d.]+ credits paid$`, 'm'));
	expect(watched.stdout).toMatch(new RegExp(`^job ${id}: Mandelbrot 128×64, completed$`, 'm'));

	const png = join(dir, 'render.png');
	const got = await mycelia(['result', id, '--out', png, '--json']);
	expect(got.code, show(got)).toBe(0);
	const answer = JSON.parse(got.stdout) as { file: string; mediaType: string; evidence: { ok: boolean; keys: string[]; tasks: { agreeingKeys: string[] }[] } };
	expect(answer).toMatchObject({ ok: true, file: png, mediaType: 'image/png', evidence: { ok: true, keys: workers } });
	for (const t of answer.evidence.tasks) expect(t.agreeingKeys).toEqual(workers);
	expect(sameBytes(new Uint8Array(readFileSync(png)), renderInNode(SPEC)), 'the PNG the CLI wrote vs the CPU twin').toBeNull();
	expect(got.stderr).toMatch(/evidence checked: all 2 tasks/);

	const plainResult = await mycelia(['result', id, '--out', join(dir, 'again.png')]);
	expect(plainResult.stdout).toContain(`verified by 2 keys that agreed:\n  ${workers[0]}\n  ${workers[1]}\n`);

	const status = await mycelia(['status', id, '--json']);
	expect(status.code, show(status)).toBe(0);
	expect(JSON.parse(status.stdout)).toMatchObject({ ok: true, job: { id, state: 'completed', tasksDone: 2 }, tasks: { accepted: 2 } });

	// Cancel: the budget comes back; watching or getting it then ends with exit 1.
	const second = await mycelia(['submit', 'mandelbrot', '--spec', JSON.stringify(SPEC), '--json']);
	expect(second.code, show(second)).toBe(0);
	const secondId = (JSON.parse(second.stdout) as { job: { id: string } }).job.id;
	expect(secondId).not.toBe(id);
	const cancelled = await mycelia(['cancel', secondId]);
	expect(cancelled.code, show(cancelled)).toBe(0);
	expect(cancelled.stdout).toMatch(new RegExp(`^job ${secondId}: Mandelbrot 128×64, cancelled$`, 'm'));
	expect(cancelled.stderr).toMatch(/cancelled; [\d.]+ credits returned/);
	const [watchCancelled, resultCancelled] = await Promise.all([mycelia(['watch', secondId]), mycelia(['result', secondId])]);
	expect(watchCancelled).toMatchObject({ code: 1, stderr: expect.stringContaining(`mycelia: job ${secondId} is cancelled, not completed`) });
	expect(resultCancelled).toMatchObject({ code: 1, stderr: expect.stringContaining(`is cancelled, not completed`) });

	// The errors, each in words, each its exit code.
	const other = join(dir, 'unfunded.json');
	expect((await mycelia(['key', 'create', '--key', other])).code).toBe(0);
	const [wrongRelay, unknownKernel, unfunded, grantAgain, notYours] = await Promise.all([
		mycelia(['balance', '--relay', 'http://127.0.0.1:9']),
		mycelia(['submit', 'fractal']),
		mycelia(['submit', 'mandelbrot', ...SPEC_FLAGS, '--key', other]),
		mycelia(['grant']),
		mycelia(['cancel', id, '--key', other])
	]);
	expect(wrongRelay, show(wrongRelay)).toMatchObject({ code: 3, stdout: '', stderr: expect.stringMatching(/^mycelia: no Mycelia relay at http:\/\/127\.0\.0\.1:9: the relay could not be reached/) });
	expect(unknownKernel, show(unknownKernel)).toMatchObject({ code: 2, stdout: '', stderr: 'mycelia: unknown kernel "fractal"; the kernels are mandelbrot, mc-pi, sum-squares\n' });
	expect(unfunded, show(unfunded)).toMatchObject({ code: 4, stdout: '', stderr: expect.stringMatching(/^mycelia: the job was not created: .*(balance|credits)/i) });
	expect(grantAgain, show(grantAgain)).toMatchObject({ code: 4, stderr: expect.stringMatching(/^mycelia: no starter credits: /) });
	expect(notYours.code, show(notYours)).toBe(4);
});
