// End-to-end harness: the real relay as a child process with its own PGlite folder, real
// Debian Chromium pages (one browser context each, so one IndexedDB and one ed25519 key each),
// bounded waits with clear messages, and a diagnostics dump (relay output, page console errors)
// when a scenario fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { expect } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.js';
import { computeTileCpu } from '../../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../../src/lib/kernels/mandelbrot/meta.js';
import { assemblePng } from '../../src/lib/kernels/mandelbrot/png.js';
import { MandelbrotSpecSchema } from '../../src/lib/kernels/mandelbrot/spec.js';
import { QUORUM, type Account, type JobDetail } from '../../src/lib/protocol/index.js';
import { checkInvariants } from '../../relay/ledger/invariants.js';
import { openDb } from '../../relay/store/open-db.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILD_DIR = join(REPO_ROOT, 'build');

const RELAY_START_MS_MAX = 90_000;
const RELAY_STOP_MS_MAX = 30_000;
const LOG_LINES_MAX = 400;
const POLL_MS = 250;

/** Keeps the last `max` lines pushed into it. */
class Tail {
	private lines: string[] = [];
	constructor(private readonly max = LOG_LINES_MAX) {}
	push(line: string) {
		this.lines.push(line);
		if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
	}
	text(): string {
		return this.lines.join('\n');
	}
}

// ── waiting ──────────────────────────────────────────────────────────────────────────────────

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns a value other than undefined/false, at most `timeoutMs`.
 * On timeout throws `message` plus whatever `describe()` says about the current state.
 */
export async function waitFor<T>(
	probe: () => Promise<T | undefined | false> | T | undefined | false,
	opts: { timeoutMs: number; message: string; describe?: () => Promise<string> | string; intervalMs?: number }
): Promise<T> {
	const deadline = Date.now() + opts.timeoutMs;
	let lastError: unknown = null;
	for (;;) {
		try {
			const value = await probe();
			if (value !== undefined && value !== false) return value;
			lastError = null;
		} catch (err) {
			lastError = err;
		}
		if (Date.now() >= deadline) {
			let state = '';
			try {
				state = opts.describe ? `\n  state: ${await opts.describe()}` : '';
			} catch (err) {
				state = `\n  (describe failed: ${String(err)})`;
			}
			const last = lastError ? `\n  last error: ${lastError instanceof Error ? lastError.message : String(lastError)}` : '';
			throw new Error(`Timed out after ${opts.timeoutMs} ms: ${opts.message}${state}${last}`);
		}
		await sleep(opts.intervalMs ?? POLL_MS);
	}
}

// ── the relay ────────────────────────────────────────────────────────────────────────────────

export interface RelayProcess {
	url: string;
	dataDir: string;
	log: Tail;
	/** SIGTERM, then waits for the exit; returns the exit code (null if killed by a signal). */
	stop(): Promise<number | null>;
	readonly exited: boolean;
}

function assertBuilt(): void {
	if (!existsSync(join(BUILD_DIR, 'index.html'))) {
		throw new Error(`${join(BUILD_DIR, 'index.html')} is missing: run \`npx vite build\` first (the relay serves the built PWA).`);
	}
}

/**
 * Starts `relay/main.ts` on a free loopback port with a fresh PGlite folder.
 *
 * It runs as `node --import tsx relay/main.ts` rather than `npx tsx relay/main.ts`: both npx and
 * the tsx CLI are wrapper processes, and npx does not pass SIGTERM on to its child, so the relay
 * would never see the signal (and would be orphaned) and its exit status could not be checked.
 */
export async function startRelay(env: Record<string, string> = {}): Promise<RelayProcess> {
	assertBuilt();
	const dataDir = mkdtempSync(join(tmpdir(), 'mycelia-e2e-'));
	const log = new Tail();
	const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], {
		cwd: REPO_ROOT,
		env: {
			...process.env,
			PORT: '0',
			HOST: '127.0.0.1',
			DATA_DIR: dataDir,
			STATIC_DIR: BUILD_DIR,
			LEASE_MS: '60000',
			...env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let exitCode: number | null | undefined;
	let exitSignal: NodeJS.Signals | null = null;
	const exited = new Promise<void>((resolve) => {
		child.on('exit', (code, signal) => {
			exitCode = code;
			exitSignal = signal;
			log.push(`[relay exited: code ${code}, signal ${signal}]`);
			resolve();
		});
	});
	let url: string | null = null;
	const onLines = (stream: 'out' | 'err') => {
		let partial = '';
		return (chunk: Buffer) => {
			const lines = (partial + chunk.toString('utf8')).split('\n');
			partial = lines.pop() ?? '';
			for (const line of lines) {
				log.push(`[relay ${stream}] ${line}`);
				const m = /Mycelia relay listening on (http:\/\/\S+)/.exec(line);
				if (m?.[1] && !url) url = m[1];
			}
		};
	};
	child.stdout?.on('data', onLines('out'));
	child.stderr?.on('data', onLines('err'));

	try {
		await waitFor(() => url ?? (exitCode !== undefined ? Promise.reject(new Error('relay exited before listening')) : undefined), {
			timeoutMs: RELAY_START_MS_MAX,
			message: 'the relay to print "Mycelia relay listening on …"',
			describe: () => `relay output:\n${log.text()}`
		});
	} catch (err) {
		child.kill('SIGKILL');
		await exited;
		rmSync(dataDir, { recursive: true, force: true });
		throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- relay output ---\n${log.text()}`);
	}

	return {
		url: url as unknown as string,
		dataDir,
		log,
		get exited() {
			return exitCode !== undefined;
		},
		async stop() {
			if (exitCode === undefined) {
				child.kill('SIGTERM');
				const timer = sleep(RELAY_STOP_MS_MAX).then(() => 'timeout' as const);
				if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
					child.kill('SIGKILL');
					await exited;
					throw new Error(`the relay did not exit within ${RELAY_STOP_MS_MAX} ms of SIGTERM (killed it)\n--- relay output ---\n${log.text()}`);
				}
			}
			if (exitSignal) log.push(`[relay was killed by ${exitSignal}]`);
			return exitCode ?? null;
		}
	};
}

// ── the relay's API (read-only: the pages do every write) ───────────────────────────────────

export async function getJson<T>(relay: RelayProcess, path: string): Promise<T> {
	const res = await fetch(`${relay.url}/api/v1${path}`, { signal: AbortSignal.timeout(10_000) });
	const text = await res.text();
	if (!res.ok) throw new Error(`GET /api/v1${path} → ${res.status}: ${text.slice(0, 500)}`);
	return JSON.parse(text) as T;
}

export const getJob = (relay: RelayProcess, id: string) => getJson<JobDetail>(relay, `/jobs/${encodeURIComponent(id)}`);
export const getAccount = (relay: RelayProcess, key: string) => getJson<Account>(relay, `/accounts/${key}`);

export function describeJob(detail: JobDetail): string {
	const { job, tasks } = detail;
	const rows = tasks.map(
		(t) =>
			`#${t.idx} ${t.state} want=${t.replicasWanted} [${t.results.map((r) => `${r.worker.slice(0, 8)}:${r.sha256.slice(0, 8)}:${r.verdict}`).join(' ')}]`
	);
	return `job ${job.id} ${job.state} ${job.tasksDone}/${job.tasks} budget=${job.budgetMicro} paid=${job.paidMicro} fee=${job.feeMicro} refunded=${job.refundedMicro}\n    ${rows.join('\n    ')}`;
}

// ── the ledger, read from the relay's data folder after it has exited ───────────────────────

export async function ledgerProblems(dataDir: string): Promise<string[]> {
	const db = await openDb({ databaseUrl: null, dataDir });
	try {
		return await checkInvariants(db);
	} finally {
		await db.close();
	}
}

// ── the reference render ─────────────────────────────────────────────────────────────────────

/** The PNG the job should produce, computed in Node by the CPU twin from the relay's spec. */
export function renderInNode(specInput: unknown): Uint8Array {
	// The relay stores the spec it validated; validating again here catches a malformed stored spec.
	const spec = v.parse(MandelbrotSpecSchema, specInput);
	const tiles = new Map<number, Uint8Array>();
	for (const task of mandelbrotMeta.split(spec)) tiles.set(task.idx, computeTileCpu(task.params));
	return assemblePng(spec, tiles);
}

// ── browsers and pages ───────────────────────────────────────────────────────────────────────

export async function launchBrowser(): Promise<Browser> {
	return chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs({ webgpu: true }) });
}

export interface AppPage {
	label: string;
	context: BrowserContext;
	page: Page;
}

/** Collects console errors/warnings and page errors from every page, for the failure dump. */
export class Diagnostics {
	readonly pageLog = new Tail();
	relay: RelayProcess | null = null;

	watch(label: string, page: Page) {
		page.on('console', (msg) => {
			const type = msg.type();
			if (type === 'error' || type === 'warning') this.pageLog.push(`[${label} console.${type}] ${msg.text()}`);
		});
		page.on('pageerror', (err) => this.pageLog.push(`[${label} pageerror] ${err.stack ?? err.message}`));
		page.on('crash', () => this.pageLog.push(`[${label}] page crashed`));
		page.on('requestfailed', (req) => {
			const url = req.url();
			// SSE streams and PeerJS polls are cut on purpose when pages close.
			if (!/\/events$|\/peerjs/.test(url)) this.pageLog.push(`[${label} requestfailed] ${req.method()} ${url}: ${req.failure()?.errorText}`);
		});
	}

	dump(): string {
		return [
			'──────── relay output (tail) ────────',
			this.relay?.log.text() ?? '(relay not started)',
			'──────── page console errors/warnings ────────',
			this.pageLog.text() || '(none)'
		].join('\n');
	}
}

/**
 * A page in its own browser context: its own IndexedDB, hence its own key and account.
 * `initScript` runs in every document before the app (to shape what the page's browser can do).
 */
export async function openAppPage(browser: Browser, diag: Diagnostics, label: string, url: string, initScript?: () => void): Promise<AppPage> {
	const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
	if (initScript) await context.addInitScript(initScript);
	const page = await context.newPage();
	page.setDefaultTimeout(30_000);
	diag.watch(label, page);
	await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
	return { label, context, page };
}

/** The page's full public key (the header chip's title), once the identity has loaded. */
export async function pageKey(app: AppPage): Promise<string> {
	return waitFor(
		async () => {
			const title = await app.page.getAttribute('[data-testid=key-fingerprint]', 'title', { timeout: 5_000 });
			return title && /^[0-9a-f]{64}$/.test(title) ? title : undefined;
		},
		{ timeoutMs: 30_000, message: `${app.label}: its ed25519 key to load (header key chip title)` }
	);
}

/** The header's balance chip, in micro-credits, once the account has loaded. */
export async function pageBalanceMicro(app: AppPage): Promise<number | undefined> {
	const raw = await app.page.getAttribute('[data-testid=balance]', 'data-micro', { timeout: 5_000 });
	return raw ? Number(raw) : undefined;
}

export interface RequestedJob {
	id: string;
	budgetMicro: number;
	balanceBeforeMicro: number;
}

export interface JobForm {
	centerRe: string;
	centerIm: string;
	zoom: string;
	width: number;
	height: number;
	maxIter: number;
	tile: 64 | 128 | 256;
}

/** Claims the starter grant, fills the render form, submits, and lands on the job page. */
export async function requestJobThroughPage(app: AppPage, form: JobForm): Promise<RequestedJob> {
	const { page } = app;
	await page.click('[data-testid=grant-button]', { timeout: 30_000 });
	await page.waitForSelector('[data-testid=grant-button]', { state: 'detached', timeout: 30_000 });
	const balanceBeforeMicro = await waitFor(async () => ((await pageBalanceMicro(app)) || undefined), {
		timeoutMs: 30_000,
		message: 'requester: a positive balance after claiming the starter grant'
	});

	const f = page.locator('[data-testid=job-form]');
	await f.locator('input[name=centerRe]').fill(form.centerRe);
	await f.locator('input[name=centerIm]').fill(form.centerIm);
	await f.locator('input[name=zoom]').fill(form.zoom);
	await f.locator('input[name=maxIter]').fill(String(form.maxIter));
	await f.locator('input[name=width]').fill(String(form.width));
	await f.locator('input[name=height]').fill(String(form.height));
	await f.locator('select[name=tile]').selectOption(String(form.tile));

	const tiles = Math.ceil(form.width / form.tile) * Math.ceil(form.height / form.tile);
	const tilesText = `${tiles} tile${tiles === 1 ? '' : 's'}`;
	await waitFor(
		async () => {
			const text = (await page.textContent('[data-testid=estimate]')) ?? '';
			return text.includes(tilesText) && !text.includes('updating') && (await page.isEnabled('[data-testid=submit-job]'));
		},
		{
			timeoutMs: 20_000,
			message: `requester: an estimate for ${tilesText} and an enabled Render button`,
			describe: async () => `estimate: ${await page.textContent('[data-testid=estimate]')}; form: ${await page.textContent('[data-testid=job-form]')}`
		}
	);
	const budgetMicro = Math.round(Number(await f.locator('input[name=budget]').inputValue()) * 1_000_000);

	await page.click('[data-testid=submit-job]');
	await page.waitForURL(/\/jobs\/[^/]+$/, { timeout: 30_000 }).catch(async (err: unknown) => {
		const formError = await page.textContent('[data-testid=form-error]', { timeout: 1_000 }).catch(() => null);
		throw new Error(`requester: did not reach the job page after Render${formError ? ` (form error: ${formError})` : ''}: ${String(err)}`);
	});
	const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
	return { id, budgetMicro, balanceBeforeMicro };
}

export interface ContributorOpts {
	workers?: number;
	backend?: 'cpu' | 'webgpu';
	fault?: 'corrupt';
}

export function contributeUrl(relay: RelayProcess, opts: ContributorOpts): string {
	// backoff=off: the tests' own load puts two cores under critical CPU pressure (see contributor.svelte.ts).
	const q = new URLSearchParams({ autostart: '1', workers: String(opts.workers ?? 1), backoff: 'off' });
	if (opts.backend) q.set('backend', opts.backend);
	if (opts.fault) q.set('fault', opts.fault);
	return `${relay.url}/contribute?${q}`;
}

/** Waits until the contribute page has joined (toggle active and a backend chosen). */
export async function waitContributing(app: AppPage): Promise<{ backend: string; backendText: string }> {
	return waitFor(
		async () => {
			const el = app.page.locator('[data-testid=backend]');
			const backend = (await el.getAttribute('data-backend', { timeout: 5_000 })) ?? '';
			const active = await app.page.getAttribute('[data-testid=contribute-toggle]', 'data-active', { timeout: 5_000 });
			return backend && active === 'true' ? { backend, backendText: (await el.textContent()) ?? '' } : undefined;
		},
		{
			timeoutMs: 60_000,
			message: `${app.label}: the contribute page to join the mesh (toggle active, backend chosen)`,
			describe: async () => `backend: ${await app.page.textContent('[data-testid=backend]')}; toggle: ${await app.page.textContent('[data-testid=contribute-toggle]')}`
		}
	);
}

export async function tasksDone(app: AppPage): Promise<number> {
	return Number(await app.page.getAttribute('[data-testid=tasks-done]', 'data-count', { timeout: 5_000 }));
}

/** Waits for the job to complete, via the API, with the task table in the timeout message. */
export async function waitJobCompleted(relay: RelayProcess, id: string, timeoutMs: number): Promise<JobDetail> {
	let last: JobDetail | null = null;
	return waitFor(
		async () => {
			last = await getJob(relay, id);
			if (last.job.state !== 'running' && last.job.state !== 'completed') {
				throw new Error(`job ended ${last.job.state}:\n  ${describeJob(last)}`);
			}
			return last.job.state === 'completed' ? last : undefined;
		},
		{ timeoutMs, message: `job ${id} to complete`, describe: () => (last ? describeJob(last) : 'no job detail yet'), intervalMs: 500 }
	);
}

/** Clicks Download PNG on the job page and returns the downloaded bytes. */
export async function downloadPng(app: AppPage): Promise<Uint8Array> {
	const { page } = app;
	await page.waitForSelector('[data-testid=job-state][data-state=completed]', { timeout: 30_000 });
	await page.waitForSelector('[data-testid=download-png]:not([disabled])', { timeout: 30_000 });
	const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('[data-testid=download-png]')]);
	const failure = await download.failure();
	if (failure) throw new Error(`PNG download failed: ${failure}`);
	const path = await download.path();
	return new Uint8Array(readFileSync(path));
}

/**
 * Runs a scenario with a relay and a browser, always cleaning both up; on failure prints the
 * relay's output and the pages' console errors before rethrowing.
 */
export async function scenario(
	relayEnv: Record<string, string>,
	body: (ctx: { relay: RelayProcess; browser: Browser; diag: Diagnostics }) => Promise<void>
): Promise<void> {
	const diag = new Diagnostics();
	let relay: RelayProcess | null = null;
	let browser: Browser | null = null;
	try {
		relay = await startRelay(relayEnv);
		diag.relay = relay;
		browser = await launchBrowser();
		await body({ relay, browser, diag });
	} catch (err) {
		console.error(`\n✗ end-to-end scenario failed: ${err instanceof Error ? err.message : String(err)}\n${diag.dump()}\n`);
		throw err;
	} finally {
		await browser?.close().catch(() => undefined);
		if (relay && !relay.exited) await relay.stop().catch(() => undefined);
		if (relay) rmSync(relay.dataDir, { recursive: true, force: true });
	}
}

/** Byte equality with a readable message (sizes and the first differing offset). */
export function sameBytes(actual: Uint8Array, expected: Uint8Array): string | null {
	if (actual.length !== expected.length) return `sizes differ: ${actual.length} vs ${expected.length} bytes`;
	for (let i = 0; i < actual.length; i++) {
		if (actual[i] !== expected[i]) return `first difference at byte ${i} of ${actual.length}`;
	}
	return null;
}

// ── money, through the API ───────────────────────────────────────────────────────────────────

export interface MoneyCheck {
	relay: RelayProcess;
	detail: JobDetail;
	requesterKey: string;
	requesterBalanceBeforeMicro: number;
	/** Every key that contributed to the job (liars included); each one's account is fresh. */
	workerKeys: string[];
}

/**
 * The job's money moved exactly: the requester paid paid + fee, budget = paid + fee + refunded,
 * the workers earned exactly what was paid (fresh accounts, so balance = earned), each accepted
 * task paid QUORUM × its price plus the fee (prices re-derived from the spec here, not read back),
 * and nothing is left in escrow.
 */
export async function expectMoneySettled(m: MoneyCheck): Promise<{ accounts: Map<string, Account> }> {
	const { job } = m.detail;
	const info = await getJson<{ feeBps: number }>(m.relay, '/info');
	const plans = mandelbrotMeta.split(v.parse(MandelbrotSpecSchema, job.spec));
	const accepted = new Set(m.detail.tasks.filter((t) => t.state === 'accepted').map((t) => t.idx));
	let expectedPaid = 0;
	let expectedFee = 0;
	for (const plan of plans) {
		if (!accepted.has(plan.idx)) continue;
		expectedPaid += QUORUM * plan.priceMicro;
		expectedFee += Math.floor((QUORUM * plan.priceMicro * info.feeBps) / 10_000);
	}
	expect(job.paidMicro, 'paid to workers = QUORUM × price of each accepted task').toBe(expectedPaid);
	expect(job.feeMicro, 'fee = feeBps of each accepted task’s payouts').toBe(expectedFee);
	expect(job.paidMicro + job.feeMicro + job.refundedMicro, 'budget = paid + fee + refunded (escrow empty)').toBe(job.budgetMicro);

	const requester = await getAccount(m.relay, m.requesterKey);
	expect(m.requesterBalanceBeforeMicro - requester.balanceMicro, "requester's balance dropped by paid + fee").toBe(job.paidMicro + job.feeMicro);

	const accounts = new Map<string, Account>();
	let earned = 0;
	for (const key of m.workerKeys) {
		const account = await getAccount(m.relay, key);
		accounts.set(key, account);
		expect(account.balanceMicro, `worker ${key.slice(0, 8)}: balance = earned (fresh account)`).toBe(account.earnedMicro);
		earned += account.earnedMicro;
	}
	expect(earned, "sum of the workers' earnings = paidMicro").toBe(job.paidMicro);
	return { accounts };
}
