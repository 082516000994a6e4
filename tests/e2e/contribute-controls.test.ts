// The contributor's controls in real Chromium, each with the reason the status gives: one
// computing tab per device (Web Locks, two tabs of one browser profile), pause now, finish the
// current task then pause, CPU share, GPU on/off, back off under CPU pressure (Chromium's Compute Pressure
// emulation over the DevTools protocol, which also shields tab 1 from the real pressure the
// test's own load causes), only while charging, keep the screen awake.
// Chromium has no DevTools emulation for the battery, so the one emulated device API here is
// navigator.getBattery(): an init script stands in for the device's charger, the way
// context.setOffline stands in for its network; the app's own code reads it as on any phone.
import type { CDPSession, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { openAppPage, requestJobThroughPage, scenario, sleep, waitFor, type JobForm } from './harness';

/** 128 tiles of 64² deep in the set: plenty of work for one key for the whole test. */
const FORM: JobForm = { centerRe: '-0.3', centerIm: '0.0', zoom: '2.5', width: 1024, height: 512, maxIter: 3000, tile: 64 };

const computed = async (page: Page) => Number(await page.getAttribute('[data-testid=tasks-done]', 'data-computed', { timeout: 10_000 }));
const statusOf = (page: Page) => page.textContent('[data-testid=work-status]', { timeout: 10_000 }).then((s) => (s ?? '').trim());

async function waitStatus(page: Page, want: RegExp, what: string): Promise<string> {
	return waitFor(
		async () => {
			const s = await statusOf(page);
			return want.test(s) ? s : undefined;
		},
		{ timeoutMs: 60_000, message: `${what}: status matching ${want}`, describe: async () => `status: "${await statusOf(page)}"` }
	);
}

async function waitComputedAbove(page: Page, n: number, what: string): Promise<number> {
	return waitFor(async () => ((await computed(page)) > n ? computed(page) : undefined), {
		timeoutMs: 90_000,
		message: `${what}: more than ${n} tasks computed`,
		describe: async () => `status: "${await statusOf(page)}"`
	});
}

/** Sets the emulated CPU pressure the Compute Pressure API reports. */
const pressure = (cdp: CDPSession, state: 'nominal' | 'critical') => cdp.send('Emulation.setPressureStateOverride', { source: 'cpu', state });

test('each control holds work back with its reason, and two tabs of one device never compute at once', async () => {
	await scenario({}, async ({ relay, browser, diag }) => {
		const requester = await openAppPage(browser, diag, 'requester', `${relay.url}/jobs`);
		await requestJobThroughPage(requester, FORM);

		const first = await openAppPage(browser, diag, 'tab 1', `${relay.url}/contribute?workers=1&backend=cpu`);
		const { context } = first;
		await context.addInitScript(() => {
			// The emulated charger (see the top of this file): plugged in until the test says otherwise.
			const battery = Object.assign(new EventTarget(), { charging: true, level: 0.8 });
			Object.defineProperty(navigator, 'getBattery', { value: () => Promise.resolve(battery) });
			(window as unknown as { setCharging(on: boolean): void }).setCharging = (on: boolean) => {
				battery.charging = on;
				battery.dispatchEvent(new Event('chargingchange'));
			};
		});
		await first.page.reload({ waitUntil: 'load' });
		const cdp = await context.newCDPSession(first.page);
		await cdp.send('Emulation.setPressureSourceOverrideEnabled', { enabled: true, source: 'cpu' });
		await pressure(cdp, 'nominal');
		const tab1 = first.page;
		await tab1.waitForSelector('[data-testid=contribute-toggle]:not([disabled])');
		await tab1.click('[data-testid=contribute-toggle]');
		await waitStatus(tab1, /^computing/, 'tab 1 joins');
		await waitComputedAbove(tab1, 0, 'tab 1');

		// A second tab of the same browser profile waits for the first: one computing tab per device.
		const tab2 = await context.newPage();
		diag.watch('tab 2', tab2);
		await tab2.goto(`${relay.url}/contribute?workers=1&backend=cpu&autostart=1&backoff=off`, { waitUntil: 'load' });
		await waitStatus(tab2, /^waiting: another Mycelia tab on this device is computing$/, 'tab 2 while tab 1 computes');

		// Pause now: nothing more is computed until Resume.
		await tab1.click('[data-testid=pause]');
		await waitStatus(tab1, /^paused$/, 'pause now');
		const atPause = await computed(tab1);
		await sleep(3_000);
		expect(await computed(tab1), 'no task finishes while paused').toBe(atPause);
		await tab1.click('[data-testid=resume]');
		await waitComputedAbove(tab1, atPause, 'after resume');

		// Finish the current task, then pause: at most the task in flight completes.
		await tab1.click('[data-testid=pause-after]');
		const atClick = await computed(tab1);
		await waitStatus(tab1, /^paused$/, 'finish current task then pause');
		const afterFinish = await computed(tab1);
		expect(afterFinish - atClick, 'only the task in flight finished').toBeLessThanOrEqual(1);
		await sleep(2_000);
		expect(await computed(tab1)).toBe(afterFinish);
		await tab1.click('[data-testid=resume]');
		await waitComputedAbove(tab1, afterFinish, 'after the second resume');

		// CPU share: a worker rests between tasks in proportion to its compute time.
		await tab1.locator('[data-testid=cpu-share]').fill('30');
		await waitFor(async () => ((await tab1.textContent('.current')) ?? '').includes('resting (CPU share 30%)') || undefined, {
			timeoutMs: 60_000,
			message: 'a worker resting for the 30% CPU share'
		});
		await tab1.locator('[data-testid=cpu-share]').fill('100');

		// CPU pressure: critical holds new work a moment to see whose it is; still critical with
		// nothing of ours running (the emulated reading does not ease), it is other work: back off
		// to half the CPU, and the slider shows the share in force. Nominal goes back to full speed.
		await pressure(cdp, 'critical');
		await waitStatus(tab1, /^backing off: other work keeps the CPU under critical pressure \(CPU share 50%\)/, 'critical CPU pressure');
		expect(await tab1.locator('[data-testid=cpu-share-in-force]').textContent()).toMatch(/50%/);
		await waitFor(async () => ((await tab1.textContent('.current')) ?? '').includes('resting (CPU share 50%)') || undefined, {
			timeoutMs: 60_000,
			message: 'a worker resting while backing off'
		});
		await pressure(cdp, 'nominal');
		await waitStatus(tab1, /^computing/, 'pressure back to nominal');

		// Only while charging: unplugged pauses, plugged in goes on.
		await tab1.check('[data-testid=only-charging]');
		await tab1.evaluate(() => (window as unknown as { setCharging(on: boolean): void }).setCharging(false));
		await waitStatus(tab1, /^paused: on battery/, 'on battery');
		const onBattery = await computed(tab1);
		await sleep(3_000);
		expect(await computed(tab1) - onBattery, 'at most the task in flight finishes on battery').toBeLessThanOrEqual(1);
		await tab1.evaluate(() => (window as unknown as { setCharging(on: boolean): void }).setCharging(true));
		await waitStatus(tab1, /^computing/, 'charging again');

		// Keep the screen awake: the page either holds a wake lock or says why it cannot.
		const canWake = await tab1.evaluate(() =>
			navigator.wakeLock.request('screen').then(
				(s) => s.release().then(() => 'ok'),
				(e: unknown) => (e instanceof Error ? e.name : String(e))
			)
		);
		await tab1.check('[data-testid=keep-awake]');
		await sleep(500);
		const note = await tab1.locator('text=the screen may sleep').count();
		expect(note, `wake lock ${canWake}: a note exactly when it cannot be held`).toBe(canWake === 'ok' ? 0 : 1);

		// All along, the second tab computed nothing; once the first leaves, it takes over.
		expect(await computed(tab2), 'tab 2 computed while tab 1 held the device').toBe(0);
		await tab1.click('[data-testid=contribute-toggle]');
		await waitStatus(tab2, /^computing/, 'tab 2 once tab 1 left');
		await waitComputedAbove(tab2, 0, 'tab 2');

		// GPU off: another device (its own profile) joins on the CPU twin though it has WebGPU; on
		// again, it times both and says so (SwiftShader, a software adapter, loses to the CPU twin here).
		const other = await openAppPage(browser, diag, 'gpu toggle', `${relay.url}/contribute?workers=1&backoff=off`);
		const backend = async () => other.page.getAttribute('[data-testid=backend]', 'data-backend', { timeout: 10_000 });
		await other.page.waitForSelector('[data-testid=contribute-toggle]:not([disabled])');
		await other.page.uncheck('[data-testid=use-gpu]');
		await other.page.click('[data-testid=contribute-toggle]');
		await waitFor(async () => ((await backend()) === 'cpu' ? true : undefined), { timeoutMs: 60_000, message: 'GPU off: the CPU twin' });
		expect(await other.page.textContent('[data-testid=backend]')).toContain('CPU twin');
		await other.page.click('[data-testid=contribute-toggle]');
		await other.page.waitForSelector('[data-testid=contribute-toggle][data-active=false]:not([disabled])');
		await other.page.check('[data-testid=use-gpu]');
		await other.page.click('[data-testid=contribute-toggle]');
		await waitFor(async () => ((await backend()) ? true : undefined), { timeoutMs: 60_000, message: 'GPU on: the trials to finish' });
		expect(await other.page.getAttribute('[data-testid=backend]', 'data-gpu')).toBe('available');
		expect(await other.page.textContent('[data-testid=gpu-adapter]')).toMatch(/WebGPU adapter: /);
		const choice = (await other.page.textContent('[data-testid=backend-choices] [data-kernel=mandelbrot]')) ?? '';
		expect(choice, 'the page says where fractal tiles run and why').toMatch(/Fractal tiles: (WebGPU|CPU twin|WebGPU and CPU twin) — .*WebGPU/);
	});
});
