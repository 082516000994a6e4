// A bisection dispute between real browsers: a requester asks for a Monte Carlo π job from the
// jobs page; an honest page and a lying page (`?fault=corrupt`, which lies at a chain's last
// step) compute the same chains; the relay bisects their committed traces to that step in
// log2(T) rounds, a third page the operator marked as a trusted referee recomputes the one step
// (and then confirms the winner's chain), the honest page is paid, the liar is not, and the
// page's π comes from honest chains only.
import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import { runChain } from '../../src/lib/kernels/mc-pi/cpu-twin.js';
import { estimatePi } from '../../src/lib/kernels/mc-pi/assemble.js';
import { mcPiMeta } from '../../src/lib/kernels/mc-pi/meta.js';
import { openDb } from '../../relay/store/open-db.js';
import { ApiClient } from '../../relay/testing/api-client.js';
import { NodeSigner } from '../../relay/testing/node-signer.js';
import {
	contributeUrl,
	describeJob,
	getAccount,
	getJob,
	ledgerProblems,
	openAppPage,
	pageBalanceMicro,
	pageKey,
	scenario,
	tasksDone,
	waitContributing,
	waitFor,
	waitJobCompleted
} from './harness';

const SPEC = { seed: 11, chains: 2, steps: 32, samplesPerStep: 1024 };
const JOB_DONE_MS_MAX = 300_000;

test('a lying page loses a bisection dispute that a trusted referee page settles with one step', async () => {
	const operator = new NodeSigner();
	await scenario({ MYCELIA_TEST_HOOKS: '1', OPERATOR_PUBLIC_KEY: operator.publicKeyHex, DISPUTE_ROUND_MS: '60000' }, async ({ relay, browser, diag }) => {
		// The requester asks through the jobs page.
		const requester = await openAppPage(browser, diag, 'requester', `${relay.url}/jobs`);
		const { page } = requester;
		await page.click('[data-testid=grant-button]', { timeout: 30_000 });
		await waitFor(async () => ((await pageBalanceMicro(requester)) || undefined), { timeoutMs: 30_000, message: 'requester: a balance after the grant' });
		await page.click('[data-testid=kernel-mc-pi]');
		const form = page.locator('[data-testid=job-form]');
		await form.locator('input[name=chains]').fill(String(SPEC.chains));
		await form.locator('input[name=seed]').fill(String(SPEC.seed));
		await form.locator('select[name=steps]').selectOption(String(SPEC.steps));
		await form.locator('input[name=samplesPerStep]').fill(String(SPEC.samplesPerStep));
		await waitFor(async () => ((await page.textContent('[data-testid=estimate]')) ?? '').includes(`${SPEC.chains} chains`) && (await page.isEnabled('[data-testid=submit-job]')), {
			timeoutMs: 20_000,
			message: 'requester: an estimate for the chains and an enabled Start button',
			describe: async () => `estimate: ${await page.textContent('[data-testid=estimate]')}`
		});
		await page.click('[data-testid=submit-job]');
		await page.waitForURL(/\/jobs\/[^/]+$/, { timeout: 30_000 });
		const jobId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
		await page.waitForSelector('[data-testid=pi-estimate]', { timeout: 30_000 });

		// The referee: its key exists once the app has loaded; the operator marks it trusted.
		const referee = await openAppPage(browser, diag, 'referee', `${relay.url}/jobs`);
		const refereeKey = await pageKey(referee);
		const marked = await new ApiClient(relay.url, operator).post('/trusted-keys', { key: refereeKey, trusted: true, note: 'e2e referee' });
		expect(marked.status).toBe(200);

		// Honest and lying contributors take both replicas of every chain (new keys are replicated).
		const honest = await openAppPage(browser, diag, 'honest', contributeUrl(relay, { workers: 1, backend: 'cpu' }));
		const liar = await openAppPage(browser, diag, 'liar', contributeUrl(relay, { workers: 1, backend: 'cpu', fault: 'corrupt' }));
		await liar.page.waitForSelector('[data-testid=fault-banner]', { timeout: 30_000 });
		await waitContributing(honest);
		await waitContributing(liar);
		const honestKey = await pageKey(honest);
		const liarKey = await pageKey(liar);
		await waitFor(async () => (await tasksDone(liar)) >= SPEC.chains && (await tasksDone(honest)) >= SPEC.chains, {
			timeoutMs: 120_000,
			message: 'both contributors to upload every chain',
			describe: async () => `honest ${await tasksDone(honest)}, liar ${await tasksDone(liar)}; ${describeJob(await getJob(relay, jobId))}`
		});

		// Now the referee joins; it recomputes the one disputed step of each chain.
		await referee.page.goto(contributeUrl(relay, { workers: 1 }));
		await waitContributing(referee);
		await referee.page.waitForSelector('[data-testid=trusted-referee]', { timeout: 30_000 });
		const detail = await waitJobCompleted(relay, jobId, JOB_DONE_MS_MAX);
		console.log(describeJob(detail));

		// Every chain accepted with the honest final state, computed by the honest page alone.
		const truth = mcPiMeta.split(SPEC).map((t) => runChain(t.params).final);
		for (const t of detail.tasks) {
			expect(t.state, `chain ${t.idx}`).toBe('accepted');
			expect(t.acceptedHash, `chain ${t.idx}: the honest final state`).toBe(createHash('sha256').update(truth[t.idx] as Uint8Array).digest('hex'));
			expect(t.results.find((r) => r.worker === honestKey)?.verdict, `chain ${t.idx}: honest result`).toBe('agreed');
			expect(t.results.find((r) => r.worker === liarKey)?.verdict, `chain ${t.idx}: lying result`).toBe('voided');
			// The winner of a dispute is paid once a referee's replica agrees with it.
			expect(t.results.find((r) => r.worker === refereeKey)?.verdict, `chain ${t.idx}: the referee's confirmation`).toBe('agreed');
		}
		expect((await getAccount(relay, liarKey)).earnedMicro, 'the liar earns nothing').toBe(0);
		expect((await getAccount(relay, honestKey)).earnedMicro, 'the honest page is paid for every chain').toBe(detail.job.paidMicro / 2);
		expect(Number(await referee.page.getAttribute('[data-testid=dispute-answers]', 'data-count'))).toBe(0);
		// Caught, the liar takes no new work (it has no probation stake) and says why.
		await waitFor(async () => ((await liar.page.textContent('[data-testid=activity-log]')) ?? '').includes('No new work'), {
			timeoutMs: 30_000,
			message: 'liar: the activity log says why it gets no new work'
		});
		await waitFor(async () => Number(await honest.page.getAttribute('[data-testid=dispute-answers]', 'data-count').catch(() => '0')) >= SPEC.chains * Math.log2(SPEC.steps), {
			timeoutMs: 30_000,
			message: 'the honest page to show every round it answered'
		});

		// The requester's page estimates π from the honest chains only.
		const expected = estimatePi(truth, SPEC.samplesPerStep);
		await waitFor(async () => Number(await page.getAttribute('[data-testid=pi-estimate]', 'data-value')) === expected, {
			timeoutMs: 30_000,
			message: `requester: π ≈ ${expected} from the verified chains`,
			describe: async () => `page shows ${await page.getAttribute('[data-testid=pi-estimate]', 'data-value')}`
		});

		// The disputes, from the relay's own books after a clean shutdown.
		await browser.close();
		expect(await relay.stop()).toBe(0);
		expect(await ledgerProblems(relay.dataDir)).toEqual([]);
		const db = await openDb({ databaseUrl: null, dataDir: relay.dataDir });
		try {
			const disputes = await db.query<{ state: string; winner: string; rounds: number; referee: string; lo: number; hi: number; worker_a: string }>(
				'SELECT state, winner, rounds, referee, lo, hi, worker_a FROM disputes ORDER BY seq'
			);
			expect(disputes).toHaveLength(SPEC.chains);
			for (const d of disputes) {
				expect(d.state).toBe('settled');
				expect(d.rounds, 'bisection rounds').toBe(Math.log2(SPEC.steps));
				// The lie sits at the last step: both agree up to T − 1.
				expect([d.lo, d.hi]).toEqual([SPEC.steps - 1, SPEC.steps]);
				expect(d.referee).toBe(refereeKey);
				expect(d.winner).toBe(d.worker_a === honestKey ? 'a' : 'b');
			}
		} finally {
			await db.close();
		}
	});
});
