// `npm run bench -- pwa [--no-build] [--no-lighthouse] [--mobile-only] [--save DIR]`: what a first
// visit costs (--save writes each Lighthouse report as JSON into DIR).
//
// Starts the real relay serving build/ (rebuilt first when it is missing or older than the
// sources, unless --no-build), opens / in a fresh Chromium profile and records every JavaScript
// response of that first visit, then gzips each body with node:zlib at level 9 (close to what the
// relay's own compression sends, and independent of what the browser negotiates):
//   · js_gzip_first_visit: the JavaScript the page itself loads to render / (entry, layout, page
//     chunks, the service worker registration), against the 150 KB gzip budget;
//   · js_gzip_with_precache: that plus what the service worker precaches on the same visit (every
//     route's chunks and the workers, for offline use), for information, against the same budget;
//   · js_files_*, the largest files, and the bytes as served (uncompressed).
// The budget is the baseline: there is no competing implementation to measure in the same run, so
// ratio = value / 150 KB (ratio ≤ 1 meets the budget).
//
// Then Lighthouse (the npm package, driving Debian's Chromium through chrome-launcher: no
// downloads) scores / and /contribute for performance, accessibility and best practices (0–100),
// with the mobile default (simulated slow 4G and a 4× slower CPU) and the desktop preset; the
// baselines are the targets 90 / 100 / 90. The top failing audits of any score under its target
// are printed to stderr. On a busy 2-core machine the performance scores are lower than on a
// phone-class idle one: read them beside the byte counts, which do not depend on the machine.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Response } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.js';
import { spawnRelay } from '../relay/testing/relay-process.js';
import { report } from './report.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILD_DIR = join(REPO_ROOT, 'build');
/** Sources whose change makes build/ stale. */
const BUILD_INPUTS = ['src', 'static', 'vite.config.ts', 'svelte.config.js', 'package-lock.json'];

const BUDGET_GZIP_BYTES = 150 * 1024;
const KB = 1024;
/** After load, the visit counts as done once no JavaScript has arrived for this long. */
const QUIET_MS = 2_000;
const VISIT_MS_MAX = 60_000;
const LARGEST_SHOWN = 5;
const LIGHTHOUSE_PAGES = ['/', '/contribute'];
const LIGHTHOUSE_TARGETS = { performance: 90, accessibility: 100, 'best-practices': 90 } as const;
type Category = keyof typeof LIGHTHOUSE_TARGETS;
const FAILING_AUDITS_SHOWN = 5;

// ── build/ ───────────────────────────────────────────────────────────────────────────────────

function newestMtime(path: string): number {
	if (!existsSync(path)) return 0;
	const st = statSync(path);
	if (!st.isDirectory()) return st.mtimeMs;
	let newest = st.mtimeMs;
	for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
	return newest;
}

function ensureBuilt(allowBuild: boolean): void {
	const index = join(BUILD_DIR, 'index.html');
	const builtAt = existsSync(index) ? statSync(index).mtimeMs : 0;
	const sourcesAt = Math.max(...BUILD_INPUTS.map((p) => newestMtime(join(REPO_ROOT, p))));
	if (builtAt >= sourcesAt) return;
	const why = builtAt === 0 ? 'build/ is missing' : 'build/ is older than the sources';
	if (!allowBuild) {
		if (builtAt === 0) throw new Error(`${why}: run \`npx vite build\` (or drop --no-build)`);
		console.error(`warning: ${why}; measuring it anyway (--no-build)`);
		return;
	}
	console.error(`${why}: npx vite build …`);
	const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
	if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status})`);
}

// ── the first visit's JavaScript ─────────────────────────────────────────────────────────────

interface JsFile {
	path: string;
	/** As served (the relay does not compress). */
	bytes: number;
	gzipBytes: number;
	encoding: string | null;
	/** Fetched by the service worker (precache), not by the page. */
	byServiceWorker: boolean;
}

const isJs = (res: Response) => /javascript|ecmascript/.test(res.headers()['content-type'] ?? '') || /\.m?js(\?|$)/.test(new URL(res.url()).pathname);

async function bodyOf(res: Response): Promise<Buffer> {
	try {
		return await res.body();
	} catch {
		// Some service-worker responses have no body to hand back: the same file is in build/.
		const file = join(BUILD_DIR, decodeURIComponent(new URL(res.url()).pathname));
		if (!file.startsWith(BUILD_DIR) || !existsSync(file)) throw new Error(`no body for ${res.url()}`);
		return readFileSync(file);
	}
}

async function firstVisitJs(origin: string): Promise<JsFile[]> {
	const profile = mkdtempSync(join(tmpdir(), 'mycelia-bench-pwa-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: chromiumPath(),
		args: chromiumArgs({ webgpu: true }),
		headless: true,
		viewport: { width: 1280, height: 900 }
	});
	const files = new Map<string, Promise<JsFile | null>>();
	let lastJsAt = Date.now();
	context.on('response', (res) => {
		if (!isJs(res) || !res.ok()) return;
		const url = new URL(res.url());
		if (url.origin !== origin) return;
		lastJsAt = Date.now();
		const byServiceWorker = res.request().serviceWorker() !== null;
		const key = `${byServiceWorker ? 'sw' : 'page'} ${url.pathname}`;
		if (files.has(key)) return;
		files.set(
			key,
			bodyOf(res).then(
				(body) => ({
					path: url.pathname,
					bytes: body.length,
					gzipBytes: gzipSync(body, { level: 9 }).length,
					encoding: res.headers()['content-encoding'] ?? null,
					byServiceWorker
				}),
				(err: unknown) => {
					console.error(`warning: ${String(err)}`);
					return null;
				}
			)
		);
	});
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		await page.goto(`${origin}/`, { waitUntil: 'load', timeout: VISIT_MS_MAX });
		// The service worker installs (precaching) and takes control on the first visit.
		await page.waitForFunction(() => navigator.serviceWorker?.controller !== null && navigator.serviceWorker?.controller !== undefined, undefined, {
			timeout: VISIT_MS_MAX
		});
		const deadline = Date.now() + VISIT_MS_MAX;
		while (Date.now() - lastJsAt < QUIET_MS && Date.now() < deadline) await page.waitForTimeout(250);
	} finally {
		await context.close();
		rmSync(profile, { recursive: true, force: true });
	}
	return (await Promise.all(files.values())).filter((f): f is JsFile => f !== null);
}

function reportJs(files: JsFile[]): void {
	const budget = { metric: 'budget_gzip_bytes(150 KB)', value: BUDGET_GZIP_BYTES };
	const pageFiles = files.filter((f) => !f.byServiceWorker);
	// What the visit downloads once: a file both the page and the precache fetched counts once.
	const unique = new Map<string, JsFile>();
	for (const f of [...pageFiles, ...files.filter((f) => f.byServiceWorker)]) if (!unique.has(f.path)) unique.set(f.path, f);
	const all = [...unique.values()];
	const sum = (list: JsFile[], k: 'bytes' | 'gzipBytes') => list.reduce((n, f) => n + f[k], 0);

	report('pwa', 'js_gzip_first_visit', sum(pageFiles, 'gzipBytes') / KB, 'KB', { metric: budget.metric, value: BUDGET_GZIP_BYTES / KB });
	report('pwa', 'js_files_first_visit', pageFiles.length, 'files');
	report('pwa', 'js_served_first_visit', sum(pageFiles, 'bytes') / KB, 'KB');
	report('pwa', 'js_gzip_with_precache', sum(all, 'gzipBytes') / KB, 'KB', { metric: budget.metric, value: BUDGET_GZIP_BYTES / KB });
	report('pwa', 'js_files_with_precache', all.length, 'files');
	report('pwa', 'js_served_with_precache', sum(all, 'bytes') / KB, 'KB');
	const encodings = [...new Set(files.map((f) => f.encoding ?? 'identity'))];
	console.error(`JavaScript served with content-encoding: ${encodings.join(', ')}`);
	for (const [label, list] of [
		['first_visit', pageFiles],
		['precache_only', all.filter((f) => !pageFiles.some((p) => p.path === f.path))]
	] as const) {
		for (const f of [...list].sort((a, b) => b.gzipBytes - a.gzipBytes).slice(0, LARGEST_SHOWN)) {
			report('pwa', `js_gzip_largest_${label}:${f.path}`, f.gzipBytes / KB, 'KB', { metric: budget.metric, value: BUDGET_GZIP_BYTES / KB });
		}
	}
}

// ── Lighthouse ───────────────────────────────────────────────────────────────────────────────

interface LhAudit {
	id: string;
	title: string;
	score: number | null;
	scoreDisplayMode: string;
	displayValue?: string;
}
interface LhResult {
	categories: Record<string, { score: number | null; auditRefs: { id: string; weight: number }[] }>;
	audits: Record<string, LhAudit>;
	runtimeError?: { code: string; message: string };
	runWarnings?: string[];
}

async function runLighthouse(origin: string, opts: { mobileOnly: boolean; saveDir: string | null }): Promise<void> {
	const { default: lighthouse } = await import('lighthouse');
	const { default: desktopConfig } = await import('lighthouse/core/config/desktop-config.js');
	const chromeLauncher = await import('chrome-launcher');
	const presets = opts.mobileOnly ? (['mobile'] as const) : (['mobile', 'desktop'] as const);
	for (const preset of presets) {
		for (const path of LIGHTHOUSE_PAGES) {
			// A fresh profile per run: a first visit, with no IndexedDB or service worker left by the last.
			const profile = mkdtempSync(join(tmpdir(), 'mycelia-bench-lh-'));
			const chrome = await chromeLauncher.launch({
				chromePath: chromiumPath(),
				userDataDir: profile,
				chromeFlags: ['--headless=new', ...chromiumArgs({ webgpu: true })]
			});
			try {
				const started = Date.now();
				const runner = await lighthouse(
					`${origin}${path}`,
					{ port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: Object.keys(LIGHTHOUSE_TARGETS) },
					preset === 'desktop' ? desktopConfig : undefined
				);
				if (opts.saveDir && runner) {
					mkdirSync(opts.saveDir, { recursive: true });
					writeFileSync(join(opts.saveDir, `lighthouse-${preset}-${path === '/' ? 'home' : path.replace(/\W+/g, '')}.json`), JSON.stringify(runner.lhr));
				}
				const lhr = runner?.lhr as unknown as LhResult | undefined;
				if (!lhr) throw new Error(`Lighthouse returned no result for ${path} (${preset})`);
				if (lhr.runtimeError) throw new Error(`Lighthouse failed on ${path} (${preset}): ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
				for (const w of lhr.runWarnings ?? []) console.error(`lighthouse ${preset} ${path} warning: ${w}`);
				for (const [category, target] of Object.entries(LIGHTHOUSE_TARGETS) as [Category, number][]) {
					const cat = lhr.categories[category];
					const score = cat?.score === null || cat?.score === undefined ? NaN : Math.round(cat.score * 100);
					report('pwa', `lighthouse_${category}:${preset}:${path}`, score, 'score', { metric: `target_${category}`, value: target });
					if (!(score >= target) && cat) console.error(`${preset} ${path} ${category} ${score} < ${target}: ${failingAudits(lhr, cat.auditRefs)}`);
				}
				if (preset === 'mobile' || path === '/') {
					for (const id of ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index']) {
						const a = lhr.audits[id];
						if (a) console.error(`  ${preset} ${path} ${a.title}: ${a.displayValue ?? a.score}`);
					}
				}
				console.error(`  (Lighthouse ${preset} ${path}: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
			} finally {
				chrome.kill();
				rmSync(profile, { recursive: true, force: true });
			}
		}
	}
}

/** The category's failing audits, heaviest first. */
function failingAudits(lhr: LhResult, refs: { id: string; weight: number }[]): string {
	const failing = refs
		.map((r) => ({ ref: r, audit: lhr.audits[r.id] }))
		.filter((x): x is { ref: { id: string; weight: number }; audit: LhAudit } => !!x.audit && x.audit.score !== null && x.audit.score < 0.9 && x.audit.scoreDisplayMode !== 'informative' && x.audit.scoreDisplayMode !== 'notApplicable')
		.sort((a, b) => b.ref.weight * (1 - (b.audit.score ?? 0)) - a.ref.weight * (1 - (a.audit.score ?? 0)))
		.slice(0, FAILING_AUDITS_SHOWN);
	// Opportunities (no weight) that Lighthouse still flags, e.g. text compression.
	const opportunities = Object.values(lhr.audits)
		.filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode === 'metricSavings' && !refs.some((r) => r.id === a.id && r.weight > 0))
		.slice(0, FAILING_AUDITS_SHOWN);
	const fmt = (a: LhAudit) => `${a.id} (${a.score === null ? '?' : Math.round(a.score * 100)}${a.displayValue ? `, ${a.displayValue}` : ''})`;
	return [...failing.map((x) => fmt(x.audit)), ...opportunities.map((a) => `[opportunity] ${fmt(a)}`)].join('; ') || 'no single failing audit';
}

// ── main ─────────────────────────────────────────────────────────────────────────────────────

export async function main(args: string[]): Promise<void> {
	ensureBuilt(!args.includes('--no-build'));
	const dataDir = mkdtempSync(join(tmpdir(), 'mycelia-bench-pwa-data-'));
	const relay = await spawnRelay({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, STATIC_DIR: BUILD_DIR, LEASE_MS: '60000' });
	if (!relay) throw new Error('the relay did not start');
	try {
		console.error(`relay ${relay.url} serving ${relative(REPO_ROOT, BUILD_DIR)}/`);
		reportJs(await firstVisitJs(relay.url));
		if (!args.includes('--no-lighthouse')) {
			const save = args.indexOf('--save');
			await runLighthouse(relay.url, { mobileOnly: args.includes('--mobile-only'), saveDir: save >= 0 ? (args[save + 1] ?? null) : null });
		}
	} finally {
		await relay.stop();
		rmSync(dataDir, { recursive: true, force: true });
	}
}
