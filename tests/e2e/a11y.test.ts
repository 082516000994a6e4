// Accessibility of every route on the real relay in real Chromium.
//
// One key (one browser context) claims the starter grant and requests two real jobs through the
// jobs page (a fractal render and a Monte Carlo π job), so the job list, both job pages, the
// ledger history and the header show real data. Then, on every route:
//   · axe-core (WCAG 2.0/2.1 A and AA rules) finds no violation; a failure lists each one
//     (rule id, impact, the elements, what to do);
//   · Tab walks every interactive element once, in document order (no positive tabindex),
//     and each one shows a focus indicator (:focus-visible with an outline or a box shadow);
//   · at 320 CSS px wide nothing makes the page scroll sideways (WCAG 1.4.10 reflow; data
//     tables scroll inside their own box, which is allowed).
// Finally the main actions work from the keyboard alone: Enter on the home page's call to
// action, Space on the job kind toggle, Enter submitting a job, Enter and Space on Contribute's
// join/leave toggle, Enter submitting a stake.
//
// There is no separate offline page: offline, the service worker answers every navigation with
// the app shell (index.html), so the routes below are the offline pages too
// (tests/e2e/offline-shell.test.ts). SvelteKit's not-found page is checked as a route of its own.
import axe from 'axe-core';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
	Diagnostics,
	launchBrowser,
	pageBalanceMicro,
	pageKey,
	requestJobThroughPage,
	startRelay,
	waitFor,
	type AppPage,
	type RelayProcess
} from './harness';
import { ApiClient } from '../../relay/testing/api-client.js';
import { NodeSigner } from '../../relay/testing/node-signer.js';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/** The pages poll and stream; after the ready selector, a moment for the first answers to land. */
const SETTLE_MS = 750;
const TAB_PRESSES_EXTRA = 5;
const VIEWPORT = { width: 1280, height: 900 };
/** WCAG 1.4.10: content reflows at 320 CSS pixels wide (a 1280 px window at 400% zoom). */
const REFLOW_VIEWPORT = { width: 320, height: 640 };

interface Route {
	name: string;
	path: () => string;
	/** Present once the route has rendered its data (not just its shell). */
	ready: string;
}

let relay: RelayProcess | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;
let page: Page | null = null;
const diag = new Diagnostics();
/** Mints the credits the ledger test stakes: starter credits cannot be staked. */
const operator = new NodeSigner();
const jobIds = { mandelbrot: '', mcPi: '' };

const ROUTES: Route[] = [
	{ name: 'home', path: () => '/', ready: '[data-testid=cta-contribute]' },
	{ name: 'contribute', path: () => '/contribute', ready: '[data-testid=contribute-toggle]:not([disabled])' },
	{ name: 'jobs', path: () => '/jobs', ready: '[data-testid=job-list] [data-testid=job-row]' },
	{ name: 'job detail (fractal render)', path: () => `/jobs/${jobIds.mandelbrot}`, ready: '[data-testid=job-state][data-state=running]' },
	{ name: 'job detail (Monte Carlo π)', path: () => `/jobs/${jobIds.mcPi}`, ready: '[data-testid=job-state][data-state=running]' },
	{ name: 'ledger', path: () => '/ledger', ready: '[data-testid=ledger-entries]' },
	{ name: 'trust', path: () => '/trust', ready: '[data-testid=trust-status]' },
	{ name: 'health', path: () => '/health', ready: '[data-testid=health-ok]' },
	{ name: 'me', path: () => '/me', ready: 'main h1' },
	{ name: 'train (join)', path: () => '/train', ready: '[data-testid=join-submit]' },
	{ name: 'train (host form)', path: () => '/train?mode=host', ready: '[data-testid=host-open]' },
	{ name: 'not found', path: () => '/no-such-page', ready: '[data-testid=error-page][data-status="404"]' }
];

function thePage(): Page {
	if (!page || !relay) throw new Error('the relay and page did not start (see beforeAll)');
	return page;
}

/** Opens a route and waits until it has rendered its data; a route that does not exist fails clearly. */
async function openRoute(route: Route): Promise<Page> {
	const p = thePage();
	const path = route.path();
	await p.goto(`${relay!.url}${path}`, { waitUntil: 'load', timeout: 60_000 });
	await p.waitForSelector('main h1', { timeout: 30_000 });
	const h1 = ((await p.textContent('main h1')) ?? '').trim();
	if (route.name !== 'not found' && (await p.locator('[data-testid=error-page]').count()) > 0) {
		throw new Error(`${path} does not exist (the app's not-found page, h1 "${h1}"): the route is not built yet`);
	}
	await p.waitForSelector(route.ready, { timeout: 30_000 }).catch((err: unknown) => {
		throw new Error(`${path}: never showed ${route.ready} (h1 "${h1}"): ${String(err)}`);
	});
	// The header's key and balance chips have loaded too.
	await waitFor(async () => (await p.getAttribute('[data-testid=key-fingerprint]', 'title'))?.length === 64, {
		timeoutMs: 30_000,
		message: `${path}: the header's key chip to load`
	});
	await p.waitForTimeout(SETTLE_MS);
	return p;
}

interface AxeNode {
	target: unknown[];
	failureSummary?: string;
}
interface AxeViolation {
	id: string;
	impact: string | null;
	help: string;
	helpUrl: string;
	nodes: AxeNode[];
}

interface AxeResults {
	violations: AxeViolation[];
	/** "Needs review": rule id → how many elements axe could not decide (printed, not failed). */
	incomplete: Record<string, number>;
}

/** Runs axe-core in the page (injected once per document). */
async function runAxe(p: Page, only: { type: 'tag' | 'rule'; values: string[] }, css = ''): Promise<AxeResults> {
	if (!(await p.evaluate(() => 'axe' in window))) await p.addScriptTag({ content: axe.source });
	return p.evaluate(
		async ({ only, css }) => {
			const w = window as unknown as {
				axe: { run(ctx: Document, opts: unknown): Promise<{ violations: AxeViolation[]; incomplete: { id: string; nodes: unknown[] }[] }> };
			};
			const style = document.createElement('style');
			style.textContent = css;
			document.head.append(style);
			try {
				const result = await w.axe.run(document, { runOnly: only, resultTypes: ['violations', 'incomplete'] });
				return {
					violations: result.violations.map((v) => ({
						id: v.id,
						impact: v.impact,
						help: v.help,
						helpUrl: v.helpUrl,
						nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary }))
					})),
					incomplete: Object.fromEntries(result.incomplete.map((r) => [r.id, r.nodes.length]))
				};
			} finally {
				style.remove();
			}
		},
		{ only, css }
	);
}

/**
 * CSS under which axe can judge text contrast. The page background is two faint radial gradients
 * over --bg and the cards are translucent over it, so axe leaves nearly every contrast check
 * "incomplete" (background gradient). This paints the page with its brightest tint (both
 * gradients at full strength over --bg, brighter than any point of the real page: the worst
 * case for light text) and the accent buttons with their gradient's darker end (the worst case
 * for their dark text). Gradient text (the home page's headline) stays undecided.
 */
async function worstCaseBackgroundCss(p: Page): Promise<string> {
	return p.evaluate(() => {
		const solid = (css: string) => {
			const probe = document.createElement('div');
			probe.style.background = css;
			document.body.append(probe);
			const c = getComputedStyle(probe).backgroundColor;
			probe.remove();
			// axe reads rgb(); Chromium computes color-mix() to color(srgb r g b).
			const m = /color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)/.exec(c);
			return m ? `rgb(${[m[1], m[2], m[3]].map((x) => Math.round(Number(x) * 255)).join(', ')})` : c;
		};
		const page = solid('color-mix(in srgb, var(--accent) 8%, color-mix(in srgb, var(--teal) 14%, var(--bg)))');
		const accentEnd = solid('var(--teal)');
		// No transitions, or axe would read the colours at the start of one (transparent).
		return `*, *::before, *::after { transition: none !important; } html, body { background: ${page} !important; } .btn-accent { background: ${accentEnd} !important; }`;
	});
}

function describeViolations(path: string, violations: AxeViolation[]): string {
	const lines = [`${violations.length} axe violation${violations.length === 1 ? '' : 's'} on ${path}:`];
	for (const v of violations) {
		lines.push(`  ✗ ${v.id} (${v.impact ?? 'unknown impact'}): ${v.help} — ${v.helpUrl}`);
		for (const n of v.nodes) {
			const why = (n.failureSummary ?? '').split('\n').slice(1).map((s) => s.trim()).filter(Boolean).join(' / ');
			lines.push(`      at ${n.target.map(String).join(' › ')}${why ? `: ${why}` : ''}`);
		}
	}
	return lines.join('\n');
}

interface Tabbable {
	idx: number;
	label: string;
}

/** Marks every element Tab should reach, in document order, with data-a11y-idx. */
async function markTabbables(p: Page): Promise<Tabbable[]> {
	return p.evaluate(() => {
		const selector =
			'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), [tabindex], [contenteditable=true], summary';
		const out: { idx: number; label: string }[] = [];
		const radiosSeen = new Set<string>();
		for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-a11y-idx]'))) el.removeAttribute('data-a11y-idx');
		for (const el of Array.from(document.querySelectorAll<HTMLElement>(selector))) {
			if (el.tabIndex < 0) continue;
			if (!el.checkVisibility({ checkVisibilityCSS: true }) || el.getClientRects().length === 0) continue;
			if (el.closest('[inert]')) continue;
			// One stop per radio group: the checked radio (or the first).
			if (el instanceof HTMLInputElement && el.type === 'radio' && el.name) {
				const group = Array.from(document.querySelectorAll<HTMLInputElement>(`input[type=radio][name="${CSS.escape(el.name)}"]`));
				const stop = group.find((r) => r.checked) ?? group[0];
				if (el !== stop || radiosSeen.has(el.name)) continue;
				radiosSeen.add(el.name);
			}
			const text = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
			const name = el.getAttribute('name') ?? el.getAttribute('data-testid') ?? '';
			el.setAttribute('data-a11y-idx', String(out.length));
			out.push({ idx: out.length, label: `<${el.tagName.toLowerCase()}${name ? ` ${name}` : ''}> "${text}"` });
		}
		return out;
	});
}

interface FocusStop {
	idx: number | null;
	label: string;
	focusVisible: boolean;
	indicator: string | null;
	tabIndex: number;
}

/** What has focus now, and whether it shows a focus indicator. */
async function focused(p: Page): Promise<FocusStop | null> {
	return p.evaluate(() => {
		const el = document.activeElement as HTMLElement | null;
		if (!el || el === document.body || el === document.documentElement) return null;
		const s = getComputedStyle(el);
		const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 ? `outline ${s.outlineStyle} ${s.outlineWidth}` : null;
		const shadow = s.boxShadow && s.boxShadow !== 'none' ? `box-shadow ${s.boxShadow}` : null;
		const idx = el.getAttribute('data-a11y-idx');
		return {
			idx: idx === null ? null : Number(idx),
			label: `<${el.tagName.toLowerCase()}> "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40)}"`,
			focusVisible: el.matches(':focus-visible'),
			indicator: outline ?? shadow,
			tabIndex: el.tabIndex
		};
	});
}

/** Presses Tab from the top of the page until focus leaves the page or has gone round; the stops. */
async function tabThrough(p: Page, expected: number): Promise<FocusStop[]> {
	await p.evaluate(() => {
		(document.activeElement as HTMLElement | null)?.blur();
		window.scrollTo(0, 0);
	});
	// Start from the document itself, as a fresh page load does.
	await p.focus('body').catch(() => undefined);
	const stops: FocusStop[] = [];
	for (let i = 0; i < expected + TAB_PRESSES_EXTRA; i++) {
		await p.keyboard.press('Tab');
		const stop = await focused(p);
		if (!stop) break;
		if (stops.length > 0 && stop.idx !== null && stop.idx === stops[0]!.idx) break;
		stops.push(stop);
		if (stop.idx === expected - 1) break;
	}
	return stops;
}

beforeAll(async () => {
	relay = await startRelay({ OPERATOR_PUBLIC_KEY: operator.publicKeyHex });
	diag.relay = relay;
	browser = await launchBrowser();
	context = await browser.newContext({ viewport: VIEWPORT });
	page = await context.newPage();
	page.setDefaultTimeout(30_000);
	diag.watch('a11y', page);
	await page.goto(`${relay.url}/jobs`, { waitUntil: 'load', timeout: 60_000 });
	const app: AppPage = { label: 'a11y', context, page };
	const render = await requestJobThroughPage(app, { centerRe: '-0.6', centerIm: '0.0', zoom: '1.2', width: 128, height: 64, maxIter: 100, tile: 64 });
	jobIds.mandelbrot = render.id;

	await page.goto(`${relay.url}/jobs`, { waitUntil: 'load', timeout: 60_000 });
	await page.click('[data-testid=kernel-mc-pi]');
	await page.fill('input[name=chains]', '2');
	await waitFor(async () => (await page!.isEnabled('[data-testid=submit-job]')) && /2 chains/.test((await page!.textContent('[data-testid=estimate]')) ?? ''), {
		timeoutMs: 20_000,
		message: 'jobs page: an estimate for 2 chains and an enabled Start button'
	});
	await page.click('[data-testid=submit-job]');
	await page.waitForURL(/\/jobs\/[^/]+$/, { timeout: 30_000 });
	jobIds.mcPi = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
}, 180_000);

afterAll(async () => {
	await browser?.close().catch(() => undefined);
	if (relay && !relay.exited) await relay.stop().catch(() => undefined);
	if (relay) rmSync(relay.dataDir, { recursive: true, force: true });
});

/** Runs a check; on failure prints the relay's output and the page's console errors first. */
async function withDiagnostics(body: () => Promise<void>): Promise<void> {
	try {
		await body();
	} catch (err) {
		console.error(`\n✗ ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n${diag.dump()}\n`);
		throw err;
	}
}

describe('axe-core finds no WCAG 2.1 A/AA violation', () => {
	for (const route of ROUTES) {
		test(route.name, async () => {
			await withDiagnostics(async () => {
				const p = await openRoute(route);
				const path = route.path();
				const all = await runAxe(p, { type: 'tag', values: WCAG_TAGS });
				const contrast = await runAxe(p, { type: 'rule', values: ['color-contrast'] }, await worstCaseBackgroundCss(p));
				console.log(
					`${path}: axe ${all.violations.length} violations; needs review ${JSON.stringify(all.incomplete)}; ` +
						`contrast on the worst-case background: ${contrast.violations.length} violations, needs review ${JSON.stringify(contrast.incomplete)}`
				);
				const violations = [...all.violations, ...contrast.violations.map((v) => ({ ...v, id: `${v.id} (page painted its brightest tint)` }))];
				expect(violations.length === 0 ? '' : describeViolations(path, violations), `axe on ${path}`).toBe('');
			});
		});
	}
});

describe('Tab reaches every interactive element in order, each with a visible focus indicator', () => {
	for (const route of ROUTES) {
		test(route.name, async () => {
			await withDiagnostics(async () => {
				const p = await openRoute(route);
				const tabbables = await markTabbables(p);
				expect(tabbables.length, `${route.path()}: interactive elements`).toBeGreaterThan(0);
				const stops = await tabThrough(p, tabbables.length);
				console.log(`${route.path()}: ${tabbables.length} interactive elements, ${stops.length} Tab stops: ${[...new Set(stops.map((s) => s.indicator?.split(' ').slice(0, 2).join(' ') ?? 'none'))].join(', ')}`);
				const problems: string[] = [];
				for (const s of stops) {
					if (s.tabIndex > 0) problems.push(`${s.label} has tabindex=${s.tabIndex} (reorders Tab; use 0)`);
					if (s.idx === null) problems.push(`Tab stopped on ${s.label}, which is not an interactive element in document order`);
					if (!s.focusVisible) problems.push(`${s.label} does not match :focus-visible when reached by Tab`);
					if (!s.indicator) problems.push(`${s.label}: no focus indicator (outline none and no box-shadow)`);
				}
				const order = stops.map((s) => s.idx).filter((i): i is number => i !== null);
				const want = tabbables.map((t) => t.idx);
				if (JSON.stringify(order) !== JSON.stringify(want)) {
					const got = stops.map((s) => s.label);
					problems.push(`Tab order differs from document order:\n      expected ${tabbables.map((t) => t.label).join(', ')}\n      got      ${got.join(', ')}`);
				}
				expect(problems.length === 0 ? '' : `${route.path()}:\n  ${problems.join('\n  ')}`, `keyboard on ${route.path()}`).toBe('');
			});
		});
	}
});

describe('reflow: nothing scrolls sideways at 320 CSS px (WCAG 1.4.10)', () => {
	for (const route of ROUTES) {
		test(route.name, async () => {
			await withDiagnostics(async () => {
				const p = thePage();
				await p.setViewportSize(REFLOW_VIEWPORT);
				try {
					await openRoute(route);
					const wide = await p.evaluate((width) => {
						if (document.documentElement.scrollWidth <= width) return [];
						// The outermost elements that stick out (their own descendants are not listed).
						const out: string[] = [];
						const sticking = Array.from(document.body.querySelectorAll<HTMLElement>('*')).filter((el) => el.getBoundingClientRect().right > width + 0.5);
						for (const el of sticking) {
							if (sticking.some((other) => other !== el && other.contains(el) && other.getBoundingClientRect().right > width + 0.5 && other !== document.body && !other.contains(document.querySelector('main')))) continue;
							const r = el.getBoundingClientRect();
							out.push(`<${el.tagName.toLowerCase()} class="${el.className}"> "${(el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 30)}" reaches x=${Math.round(r.right)}`);
						}
						return [`the page is ${document.documentElement.scrollWidth}px wide at ${width}px:`, ...out.slice(0, 10)];
					}, REFLOW_VIEWPORT.width);
					expect(wide.join('\n  '), `reflow on ${route.path()}`).toBe('');
				} finally {
					await p.setViewportSize(VIEWPORT);
				}
			});
		});
	}
});

describe('the main actions work from the keyboard', () => {
	test('home: Enter on "Contribute" opens /contribute', async () => {
		await withDiagnostics(async () => {
			const p = await openRoute(ROUTES.find((r) => r.name === 'home')!);
			await p.focus('[data-testid=cta-contribute]');
			await p.keyboard.press('Enter');
			await p.waitForURL(/\/contribute$/, { timeout: 30_000 });
		});
	});

	test('jobs: Space picks the job kind, Enter in a field submits the job', async () => {
		await withDiagnostics(async () => {
			const p = await openRoute(ROUTES.find((r) => r.name === 'jobs')!);
			await p.focus('[data-testid=kernel-mc-pi]');
			await p.keyboard.press('Space');
			await waitFor(async () => (await p.getAttribute('[data-testid=kernel-mc-pi]', 'aria-pressed')) === 'true', {
				timeoutMs: 5_000,
				message: 'Space on "Monte Carlo π" to press it (aria-pressed=true)'
			});
			await p.focus('[data-testid=kernel-mandelbrot]');
			await p.keyboard.press('Enter');
			await waitFor(async () => (await p.getAttribute('[data-testid=kernel-mandelbrot]', 'aria-pressed')) === 'true', {
				timeoutMs: 5_000,
				message: 'Enter on "Fractal render" to press it (aria-pressed=true)'
			});
			await p.fill('input[name=width]', '64');
			await p.fill('input[name=height]', '64');
			await p.selectOption('select[name=tile]', '64');
			await waitFor(async () => (await p.isEnabled('[data-testid=submit-job]')) && /\b1 tile\b/.test((await p.textContent('[data-testid=estimate]')) ?? ''), {
				timeoutMs: 20_000,
				message: 'jobs page: an estimate for 1 tile and an enabled Render button'
			});
			await p.focus('input[name=zoom]');
			await p.keyboard.press('Enter');
			await p.waitForURL(/\/jobs\/[^/]+$/, { timeout: 30_000 });
		});
	});

	test('contribute: Enter joins the mesh, Space leaves it', async () => {
		await withDiagnostics(async () => {
			const p = await openRoute(ROUTES.find((r) => r.name === 'contribute')!);
			const toggle = '[data-testid=contribute-toggle]';
			const active = () => p.getAttribute(toggle, 'data-active');
			expect(await active(), 'not contributing before the key press').not.toBe('true');
			await p.focus(toggle);
			await p.keyboard.press('Enter');
			await waitFor(async () => (await active()) === 'true', {
				timeoutMs: 60_000,
				message: 'Enter on the contribute toggle to join the mesh (data-active=true)',
				describe: async () => `toggle: ${await p.textContent(toggle)}`
			});
			await p.waitForSelector(`${toggle}:not([disabled])`, { timeout: 30_000 });
			await p.focus(toggle);
			await p.keyboard.press('Space');
			await waitFor(async () => (await active()) !== 'true', {
				timeoutMs: 30_000,
				message: 'Space on the contribute toggle to leave the mesh (data-active not true)',
				describe: async () => `toggle: ${await p.textContent(toggle)}`
			});
		});
	});

	test('ledger: Enter in the amount field stakes', async () => {
		await withDiagnostics(async () => {
			const key = await pageKey({ label: 'a11y', context: context!, page: thePage() });
			expect((await new ApiClient(relay!.url, operator).post('/mint', { to: key, amountMicro: 2_000_000, ref: 'a11y-stake-credits' })).status).toBe(200);
			const p = await openRoute(ROUTES.find((r) => r.name === 'ledger')!);
			const before = Number(await p.getAttribute('[data-testid=ledger-stake]', 'data-micro'));
			await p.fill('[data-testid=stake-amount]', '1');
			await p.focus('[data-testid=stake-amount]');
			await p.keyboard.press('Enter');
			await waitFor(async () => Number(await p.getAttribute('[data-testid=ledger-stake]', 'data-micro')) === before + 1_000_000, {
				timeoutMs: 20_000,
				message: 'Enter in the stake amount to stake 1 credit',
				describe: async () => `stake shown: ${await p.getAttribute('[data-testid=ledger-stake]', 'data-micro')}; balance ${await pageBalanceMicro({ label: 'a11y', context: context!, page: p })}`
			});
		});
	});
});
