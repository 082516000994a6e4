// A lying worker on the real relay: a page with `?fault=corrupt` (honoured only because the relay
// runs with MYCELIA_TEST_HOOKS=1) flips a byte of every result before hashing and signing. Its
// results disagree with the honest pages', the relay asks a third key, the honest majority is
// accepted and paid, the liar is rejected and paid nothing, and the PNG is still exact.
import { expect, test } from 'vitest';
import {
	contributeUrl,
	describeJob,
	downloadPng,
	expectMoneySettled,
	getJob,
	ledgerProblems,
	openAppPage,
	pageKey,
	renderInNode,
	requestJobThroughPage,
	sameBytes,
	scenario,
	tasksDone,
	waitContributing,
	waitFor,
	waitJobCompleted,
	type JobForm
} from './harness';

const FORM: JobForm = { centerRe: '-0.75', centerIm: '0.1', zoom: '1.5', width: 256, height: 128, maxIter: 300, tile: 64 };
const TASKS = 8;
const JOB_DONE_MS_MAX = 300_000;

test('a lying worker is outvoted, rejected and unpaid; the honest majority is paid and the PNG is exact', async () => {
	await scenario({ MYCELIA_TEST_HOOKS: '1' }, async ({ relay, browser, diag }) => {
		const requester = await openAppPage(browser, diag, 'requester', `${relay.url}/jobs`);
		const requesterKey = await pageKey(requester);
		const requested = await requestJobThroughPage(requester, FORM);

		// Honest A and liar L first, so L's results meet an honest one and force disputes.
		const honestA = await openAppPage(browser, diag, 'honest-A', contributeUrl(relay, { workers: 1 }));
		const liar = await openAppPage(browser, diag, 'liar-L', contributeUrl(relay, { workers: 1, backend: 'cpu', fault: 'corrupt' }));
		await liar.page.waitForSelector('[data-testid=fault-banner]', { timeout: 30_000 });
		await waitContributing(honestA);
		await waitContributing(liar);
		const aKey = await pageKey(honestA);
		const lKey = await pageKey(liar);

		await waitFor(async () => (await tasksDone(liar)) >= 1, {
			timeoutMs: 120_000,
			message: 'the liar to upload at least one (corrupt) result',
			describe: async () => describeJob(await getJob(relay, requested.id))
		});

		// Then the second honest worker, who settles every dispute.
		const honestC = await openAppPage(browser, diag, 'honest-C', contributeUrl(relay, { workers: 1, backend: 'cpu' }));
		await waitContributing(honestC);
		const cKey = await pageKey(honestC);
		expect(new Set([requesterKey, aKey, lKey, cKey]).size, 'four browser contexts, four keys').toBe(4);

		const detail = await waitJobCompleted(relay, requested.id, JOB_DONE_MS_MAX);
		console.log(describeJob(detail));

		expect(detail.tasks).toHaveLength(TASKS);
		let liarResults = 0;
		let disputed = 0;
		for (const task of detail.tasks) {
			expect(task.state, `task ${task.idx}`).toBe('accepted');
			const agreed = task.results.filter((r) => r.verdict === 'agreed');
			expect(agreed, `task ${task.idx}: exactly the quorum agreed`).toHaveLength(2);
			expect(new Set(agreed.map((r) => r.worker)), `task ${task.idx}: the agreeing keys are the honest ones`).toEqual(new Set([aKey, cKey]));
			for (const r of agreed) expect(r.sha256).toBe(task.acceptedHash);
			for (const r of task.results) {
				if (r.worker === lKey) {
					liarResults++;
					expect(r.verdict, `task ${task.idx}: the liar's result`).toBe('rejected');
					expect(r.sha256, `task ${task.idx}: the liar's hash`).not.toBe(task.acceptedHash);
				} else {
					expect(r.verdict, `task ${task.idx}: honest result of ${r.worker.slice(0, 8)}`).toBe('agreed');
				}
			}
			if (task.replicasWanted > 2) disputed++;
		}
		expect(liarResults, 'results the liar uploaded to this job').toBeGreaterThan(0);
		expect(disputed, 'tasks that needed a third replica').toBe(liarResults);

		const png = await downloadPng(requester);
		expect(sameBytes(png, renderInNode(detail.job.spec)), 'downloaded PNG vs the CPU twin rendered in Node').toBeNull();

		const { accounts } = await expectMoneySettled({
			relay,
			detail,
			requesterKey,
			requesterBalanceBeforeMicro: requested.balanceBeforeMicro,
			workerKeys: [aKey, lKey, cKey]
		});
		const liarAccount = accounts.get(lKey);
		expect(liarAccount?.earnedMicro, 'liar earned').toBe(0);
		expect(liarAccount?.resultsAccepted, 'liar accepted results').toBe(0);
		expect(liarAccount?.resultsRejected, 'liar rejected results').toBe(liarResults);
		expect(accounts.get(aKey)?.earnedMicro, 'honest A earned').toBeGreaterThan(0);
		expect(accounts.get(cKey)?.earnedMicro, 'honest C earned').toBeGreaterThan(0);
		expect(accounts.get(aKey)?.resultsRejected).toBe(0);
		expect(accounts.get(cKey)?.resultsRejected).toBe(0);
		await waitFor(async () => Number(await liar.page.textContent('[data-testid=tasks-rejected]')) === liarResults, {
			timeoutMs: 30_000,
			message: "liar page: the rejected count to match the relay's",
			describe: async () => `page shows ${await liar.page.textContent('[data-testid=tasks-rejected]')}`
		});

		await browser.close();
		expect(await relay.stop(), 'relay exit code after SIGTERM').toBe(0);
		expect(await ledgerProblems(relay.dataDir)).toEqual([]);
	});
});
