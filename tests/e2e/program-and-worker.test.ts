// Issue 15's end to end: a Node program using only the client API creates a key file, takes the
// starter grant and submits a render; one browser page (the CPU twin) and one headless worker
// process (`cli/worker`, its own key) complete it; the program checks the evidence itself and
// writes a PNG identical to the CPU twin's render in Node. Then the worker is stopped with
// Ctrl-C and leaves cleanly, saying what it earned.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { Mycelia, newIdentity, saveKeyFile } from '../../src/lib/client/index.js';
import { REPO_ROOT, contributeUrl, getJson, openAppPage, pageKey, renderInNode, sameBytes, scenario, waitContributing, waitFor } from './harness';

const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 256, height: 128, maxIter: 200, tile: 64 };
const JOB_MS_MAX = 180_000;

test('a program submits, a browser page and a headless worker compute, the program verifies and writes the PNG', async () => {
	await scenario({}, async ({ relay, browser, diag }) => {
		const dir = mkdtempSync(join(tmpdir(), 'mycelia-program-'));
		let output = '';
		const worker = spawn(process.execPath, ['--import', 'tsx', 'cli/worker/main.ts', '--relay', relay.url, '--key', join(dir, 'worker-key.json'), '--data', join(dir, 'outbox'), '--threads', '1'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
		worker.stdout.on('data', (d: Buffer) => (output += d.toString()));
		worker.stderr.on('data', (d: Buffer) => (output += d.toString()));
		const exited = new Promise<number | null>((resolve) => worker.on('exit', (code) => resolve(code)));
		try {
			// The program: a key file, the grant, a render.
			const keyFile = join(dir, 'requester-key.json');
			await saveKeyFile(keyFile, newIdentity());
			const m = await Mycelia.connect({ relay: relay.url, keyFile });
			await m.grant();
			const job = await m.submit('mandelbrot', SPEC);

			const page = await openAppPage(browser, diag, 'browser', contributeUrl(relay, { workers: 1, backend: 'cpu' }));
			const pageKeyHex = await pageKey(page);
			await waitContributing(page);
			const workerKeyHex = (JSON.parse(await waitFor(() => { try { return readFileSync(join(dir, 'worker-key.json'), 'utf8'); } catch { return undefined; } }, { timeoutMs: 30_000, message: 'the worker to create its key', describe: () => output })) as { publicKey: string }).publicKey;

			const result = await job.result({ signal: AbortSignal.timeout(JOB_MS_MAX) });
			expect(result.evidence.ok, result.evidence.problems.join('; ')).toBe(true);
			expect(result.evidence.keys).toEqual([pageKeyHex, workerKeyHex].sort());
			for (const t of result.evidence.tasks) expect(t.agreeingKeys, `task ${t.idx}`).toEqual([pageKeyHex, workerKeyHex].sort());
			const png = join(dir, 'render.png');
			writeFileSync(png, result.rendered.bytes);
			expect(sameBytes(new Uint8Array(readFileSync(png)), renderInNode(SPEC)), 'the PNG the program wrote vs the CPU twin in Node').toBeNull();

			// The worker advertised what it measured, as a browser does: the job lists it by its label.
			const activity = await getJson<{ devices: { key: string; label: string }[] }>(relay, `/jobs/${job.id}/activity`);
			expect(activity.devices.find((d) => d.key === workerKeyHex)?.label).toMatch(/^Node \d+\.\d+\.\d+ on linux \(1 thread\)$/);
			expect(output).toMatch(/Measured \d+ kernel classes on the CPU twins/);

			// Ctrl-C: the worker finishes what it holds and leaves, saying so.
			await waitFor(() => /accepted/.test(output) || undefined, { timeoutMs: 30_000, message: 'the worker to report accepted tiles', describe: () => output });
			worker.kill('SIGINT');
			expect(await exited).toBe(0);
			expect(output).toMatch(/Ctrl-C: finishing the tasks in hand/);
			expect(output).toMatch(/Left: \d+ tasks done this run, \d+ accepted, paid [\d.]+ cr/);
		} catch (err) {
			console.error(`headless worker output:\n${output.slice(-4000)}`);
			throw err;
		} finally {
			if (worker.exitCode === null) worker.kill('SIGKILL');
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
