// The headless worker never loses a computed result: a worker process computes and commits a
// job's tiles alone (their partner has not come yet), is SIGKILLed, and its results are on disk;
// restarted on the same key and folder, it uploads them once the partner has committed, and the
// job completes with the worker's results accepted. Also: bad arguments are refused in words.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetail, JobSummary } from '../../src/lib/protocol/jobs.js';
import type { Relay } from '../../relay/server.js';
import { ApiClient } from '../../relay/testing/api-client.js';
import { nodeContributor } from '../../relay/testing/node-contributor.js';
import { NodeSigner } from '../../relay/testing/node-signer.js';
import { startTestRelay } from '../../relay/testing/test-relay.js';
import { parseWorkerArgs, UsageError } from './run-worker.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 128, height: 64, maxIter: 50, tile: 64 };
const WAIT_MS_MAX = 60_000;

function startWorker(url: string, dir: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
	let out = '';
	const child = spawn(process.execPath, ['--import', 'tsx', 'cli/worker/main.ts', '--relay', url, '--key', join(dir, 'key.json'), '--data', join(dir, 'outbox'), '--threads', '1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
	child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
	return { child, output: () => out, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, describe: () => string): Promise<T> {
	const deadline = Date.now() + WAIT_MS_MAX;
	for (;;) {
		const v = await probe();
		if (v !== undefined) return v;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${describe()}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

describe('headless worker', () => {
	let relay: Relay;
	const dir = mkdtempSync(join(tmpdir(), 'mycelia-worker-'));
	beforeAll(async () => {
		relay = await startTestRelay({});
	});
	afterAll(async () => {
		await relay?.close();
		rmSync(dir, { recursive: true, force: true });
	});

	it('keeps computed results on disk through a SIGKILL and uploads them when restarted', async () => {
		const requester = new ApiClient(relay.url, new NodeSigner());
		await requester.post('/grants/demo', {});
		const job = (await requester.post<JobSummary>('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: 5_000_000, clientRef: 'worker-crash-1' })).body;
		const outbox = join(dir, 'outbox');

		// Alone, the worker computes and commits both tiles; they wait for a partner in its outbox.
		const first = startWorker(relay.url, dir);
		const held = () => (existsSync(outbox) ? readdirSync(outbox).filter((f) => f.endsWith('.result.json')).length : 0);
		await until(() => (held() === 2 ? true : undefined), 'two results in the outbox', first.output);
		first.child.kill('SIGKILL');
		await first.exited;
		expect(held()).toBe(2);

		// A partner computes the same tiles on the shared loop; the restarted worker uploads its results.
		const partner = nodeContributor({ url: relay.url, leaseMs: 60_000 });
		await partner.loop.start(1);
		const second = startWorker(relay.url, dir);
		try {
			const detail = await until(async () => {
				const d = (await requester.get<JobDetail>(`/jobs/${job.id}`)).body;
				return d.job.state === 'completed' ? d : undefined;
			}, 'the job to complete', second.output);
			const workerKey = readFileSync(join(dir, 'key.json'), 'utf8').match(/"publicKey": "([0-9a-f]{64})"/)?.[1];
			for (const t of detail.tasks) {
				expect(t.state).toBe('accepted');
				expect(t.results.filter((r) => r.verdict === 'agreed').map((r) => r.worker).sort()).toEqual([workerKey, partner.signer.publicKeyHex].sort());
			}
			expect(second.output()).toMatch(/2 from the last run, uploading/);
			await until(() => (held() === 0 ? true : undefined), 'the outbox to empty once the relay has the results', second.output);
		} finally {
			second.child.kill('SIGINT');
			expect(await second.exited).toBe(0);
			await partner.loop.stop();
		}
	});

	it('refuses arguments it cannot use, in words', () => {
		expect(() => parseWorkerArgs(['--threads', '0'], {})).toThrow(/--threads must be a whole number from 1 to/);
		expect(() => parseWorkerArgs(['--cpu-share', '5'], {})).toThrow(/--cpu-share must be a whole number from 10 to 100/);
		expect(() => parseWorkerArgs(['--nope'], {})).toThrow(UsageError);
		expect(parseWorkerArgs([], { MYCELIA_RELAY: 'http://example.test:1' }).relay).toBe('http://example.test:1');
	});
});
