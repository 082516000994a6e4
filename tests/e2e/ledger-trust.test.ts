// The /ledger and /trust pages on the real relay in real Chromium: a new key claims the starter
// grant (starter credits: the page shows them apart, and refuses to stake them), the operator
// mints it credits, it stakes (double-clicked: one effect), unstakes part, asks for a
// redemption, and every number the page shows matches both the relay's GET endpoints and the
// arithmetic; the entries table lists the same entries as the API, newest first. /trust shows a
// new key's reputation: no streak yet, so every task is replicated (a 100% spot-check chance).
import { expect, test } from 'vitest';
import type { Holdings, Info, LedgerEntry, LedgerPage, Trust } from '../../src/lib/protocol/index.js';
import { ApiClient } from '../../relay/testing/api-client.js';
import { NodeSigner } from '../../relay/testing/node-signer.js';
import { getJson, ledgerProblems, openAppPage, pageBalanceMicro, pageKey, scenario, waitFor, type AppPage, type RelayProcess } from './harness';

const UNSTAKE_DELAY_MS = 3_600_000;
const STAKE = { text: '20', micro: 20_000_000 };
const UNSTAKE = { text: '7.5', micro: 7_500_000 };
const REDEEM = { text: '10.25', micro: 10_250_000 };
const DESTINATION = 'IBAN DE89 3704 0044 0532 0130 00';
/** Credits the operator mints for the key: only these can be staked or redeemed. */
const MINTED = 40_000_000;

/** The `data-micro` of a stat on the ledger page, or undefined before it has loaded. */
async function shownMicro(app: AppPage, testid: string): Promise<number | undefined> {
	const raw = await app.page.getAttribute(`[data-testid=${testid}]`, 'data-micro', { timeout: 5_000 });
	return raw ? Number(raw) : undefined;
}

interface Shown {
	balance?: number;
	starter?: number;
	stake?: number;
	unstaking?: number;
	redeeming?: number;
}

async function shownHoldings(app: AppPage): Promise<Shown> {
	return {
		balance: await shownMicro(app, 'ledger-balance'),
		starter: await shownMicro(app, 'ledger-starter'),
		stake: await shownMicro(app, 'ledger-stake'),
		unstaking: await shownMicro(app, 'ledger-unstaking'),
		redeeming: await shownMicro(app, 'ledger-redeeming')
	};
}

/** Waits until the ledger page shows exactly these holdings. */
async function expectShown(app: AppPage, want: Required<Shown>, what: string): Promise<void> {
	await waitFor(async () => JSON.stringify(await shownHoldings(app)) === JSON.stringify(want), {
		timeoutMs: 15_000,
		message: `ledger page: holdings after ${what} to be ${JSON.stringify(want)}`,
		describe: async () => {
			const errors = await app.page.$$eval('.error-text', (els) => els.map((e) => e.textContent?.trim()).filter(Boolean));
			return `shown ${JSON.stringify(await shownHoldings(app))}; errors: ${JSON.stringify(errors)}`;
		}
	});
}

interface Row {
	transfer: string;
	holding: string;
	reason: string;
	micro: number;
}

async function shownEntries(app: AppPage): Promise<Row[]> {
	return app.page.$$eval('[data-testid=ledger-entry]', (rows) =>
		rows.map((r) => ({
			transfer: r.getAttribute('data-transfer') ?? '',
			holding: r.getAttribute('data-holding') ?? '',
			reason: r.getAttribute('data-reason') ?? '',
			micro: Number(r.getAttribute('data-micro'))
		}))
	);
}

/** Every entry of the key through the API, following nextBefore. */
async function allEntries(relay: RelayProcess, key: string): Promise<LedgerEntry[]> {
	const out: LedgerEntry[] = [];
	let before: number | null = null;
	for (let pages = 0; pages < 20; pages++) {
		const page: LedgerPage = await getJson<LedgerPage>(relay, `/accounts/${key}/entries${before === null ? '' : `?before=${before}`}`);
		out.push(...page.entries);
		if (page.nextBefore === null) return out;
		before = page.nextBefore;
	}
	throw new Error('more than 20 pages of entries');
}

test('the ledger page stakes, unstakes and redeems through the relay and shows the same books; /trust shows a new key fully replicated', async () => {
	const operator = new NodeSigner();
	await scenario({ UNSTAKE_DELAY_MS: String(UNSTAKE_DELAY_MS), OPERATOR_PUBLIC_KEY: operator.publicKeyHex }, async ({ relay, browser, diag }) => {
		const info = await getJson<Info>(relay, '/info');
		const GRANT = info.demoGrantMicro;
		expect(MINTED, 'the minted credits cover the stake and the redemption').toBeGreaterThanOrEqual(STAKE.micro + REDEEM.micro);

		const app = await openAppPage(browser, diag, 'user', `${relay.url}/ledger`);
		const { page } = app;
		const key = await pageKey(app);
		expect(await page.getAttribute('nav a[href="/ledger"]', 'aria-current'), 'the Ledger nav link is current').toBe('page');

		// A fresh key: nothing yet.
		await expectShown(app, { balance: 0, starter: 0, stake: 0, unstaking: 0, redeeming: 0 }, 'opening the page');

		// Claim the starter grant in the header; the ledger page follows the header's balance and
		// shows the grant as starter credits, which cannot be staked.
		await page.click('[data-testid=grant-button]');
		await page.waitForSelector('[data-testid=grant-button]', { state: 'detached' });
		await expectShown(app, { balance: 0, starter: GRANT, stake: 0, unstaking: 0, redeeming: 0 }, 'the grant');
		await page.fill('[data-testid=stake-amount]', '1');
		await page.click('[data-testid=stake-submit]');
		await page.waitForSelector('#stake-amount-error:has-text("More than your balance")');

		// The operator mints credits for the key (bought credits); the page follows within its refresh.
		const minted = await new ApiClient(relay.url, operator).post('/mint', { to: key, amountMicro: MINTED, ref: 'ledger-e2e-mint' });
		expect(minted.status, JSON.stringify(minted.body)).toBe(200);
		await expectShown(app, { balance: MINTED, starter: GRANT, stake: 0, unstaking: 0, redeeming: 0 }, 'the mint');

		// Validation happens before anything is sent: more than the balance, and not a number.
		await page.fill('[data-testid=stake-amount]', String(MINTED / 1_000_000 + 1));
		await page.click('[data-testid=stake-submit]');
		await page.waitForSelector('#stake-amount-error:has-text("More than your balance")');
		await page.fill('[data-testid=stake-amount]', '1,5');
		await page.waitForSelector('#stake-amount-error:has-text("up to 6 decimals")');
		await page.fill('[data-testid=stake-amount]', '0');
		await page.waitForSelector('#stake-amount-error:has-text("more than zero")');
		expect((await getJson<Holdings>(relay, `/accounts/${key}/holdings`)).stakeMicro, 'no stake after refused input').toBe(0);

		// Stake, double-clicked: one submission (the button is busy, the ref is the same).
		await page.fill('[data-testid=stake-amount]', STAKE.text);
		await page.dblclick('[data-testid=stake-submit]');
		await expectShown(app, { balance: MINTED - STAKE.micro, starter: GRANT, stake: STAKE.micro, unstaking: 0, redeeming: 0 }, 'staking');

		// Unstake part: it leaves the stake at once and waits UNSTAKE_DELAY_MS.
		await page.fill('[data-testid=unstake-amount]', UNSTAKE.text);
		await page.click('[data-testid=unstake-submit]');
		await expectShown(app, { balance: MINTED - STAKE.micro, starter: GRANT, stake: STAKE.micro - UNSTAKE.micro, unstaking: UNSTAKE.micro, redeeming: 0 }, 'unstaking');

		// Redeem: the credits are locked as redeeming.
		await page.fill('[data-testid=redeem-amount]', REDEEM.text);
		await page.fill('[data-testid=redeem-destination]', DESTINATION);
		await page.click('[data-testid=redeem-submit]');
		const expected = {
			balance: MINTED - STAKE.micro - REDEEM.micro,
			starter: GRANT,
			stake: STAKE.micro - UNSTAKE.micro,
			unstaking: UNSTAKE.micro,
			redeeming: REDEEM.micro
		};
		await expectShown(app, expected, 'the redemption');

		// The relay's own view agrees with the page and the arithmetic.
		const holdings = await getJson<Holdings>(relay, `/accounts/${key}/holdings`);
		expect(
			{ balance: holdings.balanceMicro, starter: holdings.starterMicro, stake: holdings.stakeMicro, unstaking: holdings.unstakingMicro, redeeming: holdings.redeemingMicro },
			'GET holdings'
		).toEqual(expected);
		expect(holdings.balanceMicro + holdings.stakeMicro + holdings.unstakingMicro + holdings.redeemingMicro, 'nothing created or lost').toBe(MINTED);
		expect(holdings.unstakeDelayMs).toBe(UNSTAKE_DELAY_MS);
		expect(holdings.unstakes).toHaveLength(1);
		const unstake = holdings.unstakes[0]!;
		expect(unstake.amountMicro).toBe(UNSTAKE.micro);
		expect(unstake.releasedAt).toBeNull();
		expect(unstake.releaseAt - unstake.requestedAt).toBe(UNSTAKE_DELAY_MS);
		expect(holdings.redemptions.map((r) => ({ amount: r.amountMicro, destination: r.destination, state: r.state }))).toEqual([
			{ amount: REDEEM.micro, destination: DESTINATION, state: 'requested' }
		]);

		// The page lists the pending unstake with its release time, and the redemption request.
		const pending = page.locator('[data-testid=pending-unstake]');
		expect(await pending.count()).toBe(1);
		expect(Number(await pending.getAttribute('data-release-at'))).toBe(unstake.releaseAt);
		expect(Number(await pending.getAttribute('data-micro'))).toBe(UNSTAKE.micro);
		expect(await page.textContent('[data-testid=redemption]')).toContain(DESTINATION);

		// Entries: the same as the API's, newest first, with the reasons in words.
		const apiEntries = await allEntries(relay, key);
		const apiRows: Row[] = apiEntries.map((e) => ({ transfer: e.transferId, holding: e.holding, reason: e.reason, micro: e.amountMicro }));
		await waitFor(async () => JSON.stringify(await shownEntries(app)) === JSON.stringify(apiRows), {
			timeoutMs: 15_000,
			message: 'ledger page: the entries table to list the API entries in order',
			describe: async () => `page ${JSON.stringify(await shownEntries(app))}\n  api  ${JSON.stringify(apiRows)}`
		});
		const seqs = apiEntries.map((e) => e.seq);
		expect(seqs, 'newest first').toEqual([...seqs].sort((a, b) => b - a));
		const byReason = (reason: string) => apiRows.filter((r) => r.reason === reason).map((r) => `${r.holding}:${r.micro}`).sort();
		expect(byReason('grant')).toEqual([`starter:${GRANT}`]);
		expect(byReason('mint')).toEqual([`balance:${MINTED}`]);
		expect(byReason('stake'), 'one stake despite the double click').toEqual([`balance:${-STAKE.micro}`, `stake:${STAKE.micro}`].sort());
		expect(byReason('unstake')).toEqual([`stake:${-UNSTAKE.micro}`, `unstaking:${UNSTAKE.micro}`].sort());
		expect(byReason('redeem')).toEqual([`balance:${-REDEEM.micro}`, `redeeming:${REDEEM.micro}`].sort());
		expect(apiRows).toHaveLength(8);
		expect(apiRows[0]?.reason, 'the newest entry is the redemption').toBe('redeem');
		// Each holding's entries add up to what it holds.
		for (const [holding, want] of Object.entries(expected)) {
			const sum = apiRows.filter((r) => r.holding === holding).reduce((s, r) => s + r.micro, 0);
			expect(sum, `entries of ${holding} sum to its amount`).toBe(want);
		}
		const grantRow = page.locator('[data-testid=ledger-entry][data-reason=grant]');
		expect(await grantRow.textContent()).toContain('Starter credits grant');
		expect(await page.locator('[data-testid=ledger-entry][data-reason=redeem][data-holding=balance]').textContent()).toContain('−10.25');

		// The header chip shows what can be spent: the balance and the starter credits.
		await waitFor(async () => (await pageBalanceMicro(app)) === expected.balance + GRANT, {
			timeoutMs: 15_000,
			message: `header balance to show ${expected.balance + GRANT}`,
			describe: async () => `header shows ${await pageBalanceMicro(app)}`
		});

		// A reload shows the same books (nothing held only in the page).
		await page.reload();
		await expectShown(app, expected, 'a reload');

		// /trust through the nav: a new key has no streak and every task it takes is replicated.
		await page.click('nav a[href="/trust"]');
		await page.waitForURL(/\/trust$/);
		const trust = await getJson<Trust>(relay, `/accounts/${key}/trust`);
		expect(trust.validStreak).toBe(0);
		expect(trust.spotCheckProbability).toBe(1);
		await page.waitForSelector('[data-testid=trust-streak][data-count="0"]');
		expect((await page.textContent('[data-testid=trust-streak]'))?.trim()).toBe('0');
		expect(await page.getAttribute('[data-testid=trust-spot-check]', 'data-probability')).toBe('1');
		expect((await page.textContent('[data-testid=trust-spot-check]'))?.trim()).toBe('100%');
		expect(Number(await page.getAttribute('[data-testid=trust-slashed]', 'data-micro'))).toBe(trust.slashedMicro);
		expect(Number(await page.getAttribute('[data-testid=trust-clawed-back]', 'data-micro'))).toBe(trust.clawedBackMicro);
		expect(await page.textContent('[data-testid=trust-policy]')).toContain(`until ${trust.replicatedUntilStreak} consecutive valid results`);
		expect(await page.locator('[data-testid=trust-event]').count()).toBe(trust.events.length);

		// The books still balance after all of it.
		await browser.close();
		expect(await relay.stop(), 'relay exit code after SIGTERM').toBe(0);
		expect(await ledgerProblems(relay.dataDir)).toEqual([]);
	});
});
