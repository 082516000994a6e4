// Contributing with no network, all through real pages on the real relay: a contributor
// prefetches a batch, its context goes offline (context.setOffline), it computes the batch, is
// reloaded mid-batch (the service worker serves the app; IndexedDB keeps what was computed), and
// once reconnected every queued result is uploaded, verified against a second, online
// contributor's replica, and paid: the counts match exactly.
import { expect, test } from 'vitest';
import {
	contributeUrl,
	describeJob,
	expectMoneySettled,
	getAccount,
	ledgerProblems,
	openAppPage,
	pageKey,
	requestJobThroughPage,
	scenario,
	waitFor,
	waitJobCompleted,
	type AppPage,
	type JobForm
} from './harness';

/** 4 × 2 tiles of 64² deep in the set (about a second each on the CPU twin): one prefetched batch. */
const FORM: JobForm = { centerRe: '-0.3', centerIm: '0.0', zoom: '2.5', width: 256, height: 128, maxIter: 3000, tile: 64 };
const TASKS = 8;

const attr = async (app: AppPage, name: string) => Number(await app.page.getAttribute('[data-testid=work-status]', name, { timeout: 10_000 }));
const status = (app: AppPage) => app.page.textContent('[data-testid=work-status]', { timeout: 10_000 });

test('a prefetched batch computed offline, across a reload, is uploaded, verified and paid exactly once reconnected', async () => {
	await scenario({}, async ({ relay, browser, diag }) => {
		const requester = await openAppPage(browser, diag, 'requester', `${relay.url}/jobs`);
		const requesterKey = await pageKey(requester);
		const requested = await requestJobThroughPage(requester, FORM);

		// The offline contributor: the service worker must control the page before the network goes.
		const away = await openAppPage(browser, diag, 'offline', `${relay.url}/contribute?workers=1&backend=cpu&backoff=off`);
		const awayKey = await pageKey(away);
		await away.page.waitForFunction(() => navigator.serviceWorker?.controller?.state === 'activated', undefined, { timeout: 60_000 });
		await away.page.fill('[data-testid=prefetch-count]', String(TASKS));
		await away.page.click('[data-testid=prefetch]');
		await waitFor(async () => ((await attr(away, 'data-prefetched')) === TASKS ? true : undefined), {
			timeoutMs: 30_000,
			message: `the offline page to prefetch ${TASKS} tasks`,
			describe: async () => `status: ${await status(away)}`
		});

		await away.context.setOffline(true);
		await away.page.click('[data-testid=contribute-toggle]');
		// Compute part of the batch, then reload with no network.
		await waitFor(async () => ((await attr(away, 'data-unsent')) >= 3 ? true : undefined), {
			timeoutMs: 120_000,
			message: 'three results computed offline',
			describe: async () => `status: ${await status(away)}`
		});
		expect(await status(away)).toMatch(/^offline: \d+ results? waiting to upload/);
		const unsentBefore = await attr(away, 'data-unsent');
		const reloaded = await away.page.reload({ waitUntil: 'load', timeout: 30_000 });
		expect(reloaded?.fromServiceWorker(), 'the offline reload was answered by the service worker').toBe(true);
		// Nothing computed was lost: the stored results and the rest of the batch are back.
		await waitFor(async () => ((await attr(away, 'data-unsent')) >= unsentBefore ? true : undefined), {
			timeoutMs: 30_000,
			message: `the reloaded page to restore at least ${unsentBefore} unsent results`,
			describe: async () => `status: ${await status(away)}`
		});
		expect((await attr(away, 'data-unsent')) + (await attr(away, 'data-prefetched'))).toBe(TASKS);
		await away.page.waitForSelector('[data-testid=contribute-toggle]:not([disabled])', { timeout: 30_000 });
		await away.page.click('[data-testid=contribute-toggle]');
		await waitFor(async () => ((await attr(away, 'data-unsent')) === TASKS && (await attr(away, 'data-prefetched')) === 0 ? true : undefined), {
			timeoutMs: 180_000,
			message: `all ${TASKS} prefetched tasks computed offline`,
			describe: async () => `status: ${await status(away)}`
		});
		expect(await status(away)).toBe(`offline: ${TASKS} results waiting to upload`);

		// Meanwhile a second, online contributor computes the other replica of every task; its
		// commitments wait for the offline ones instead of lapsing.
		const online = await openAppPage(browser, diag, 'online', contributeUrl(relay, { workers: 1, backend: 'cpu' }));
		const onlineKey = await pageKey(online);
		await waitFor(async () => (Number(await online.page.getAttribute('[data-testid=tasks-done]', 'data-computed')) >= TASKS ? true : undefined), {
			timeoutMs: 180_000,
			message: 'the online contributor to compute its replicas'
		});
		expect((await getAccount(relay, awayKey)).resultsAccepted, 'nothing settles while the offline replicas are missing').toBe(0);

		await away.context.setOffline(false);
		const detail = await waitJobCompleted(relay, requested.id, 120_000);
		console.log(describeJob(detail));
		for (const task of detail.tasks) {
			expect(task.state, `task ${task.idx}`).toBe('accepted');
			expect(new Set(task.results.filter((r) => r.verdict === 'agreed').map((r) => r.worker)), `task ${task.idx}: agreed by both`).toEqual(new Set([awayKey, onlineKey]));
		}
		await waitFor(async () => ((await attr(away, 'data-unsent')) === 0 ? true : undefined), {
			timeoutMs: 60_000,
			message: 'the offline page to empty its outbox',
			describe: async () => `status: ${await status(away)}`
		});
		const { accounts } = await expectMoneySettled({
			relay,
			detail: await waitJobCompleted(relay, requested.id, 10_000),
			requesterKey,
			requesterBalanceBeforeMicro: requested.balanceBeforeMicro,
			workerKeys: [awayKey, onlineKey]
		});
		const account = accounts.get(awayKey);
		expect(account?.resultsAccepted, 'every result computed offline was accepted').toBe(TASKS);
		expect(account?.resultsRejected).toBe(0);
		expect(account?.earnedMicro, 'and paid exactly half of what the job paid (one of two agreeing replicas)').toBe(detail.job.paidMicro / 2);

		await browser.close();
		expect(await ledgerProblems(relay.dataDir)).toEqual([]);
	});
});
