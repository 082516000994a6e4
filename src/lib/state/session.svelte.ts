// App-wide state (Svelte 5 runes): this browser's identity, the relay's info, the account
// balance (refreshed after writes and every ACCOUNT_POLL_MS), and the relay client that
// carries the clock offset for signed requests.
import * as v from 'valibot';
import { InfoSchema, type Account, type Info } from '$lib/protocol';
import { loadOrCreateIdentity } from '$lib/verify/identity';
import { describeError, isRelayError, RelayClient, type Signer } from '../relay-api/relay-client';

const ACCOUNT_POLL_MS = 5_000;
/** Account refreshes requested by writes are coalesced to at most one per this interval. */
const ACCOUNT_REFRESH_MS_MIN = 1_000;
/** The clock offset is refreshed this often, well within the relay's allowed skew. */
const CLOCK_SYNC_MS = 60_000;
/** The relay's last /info, so the app can start (and contribute offline) with no network. */
const INFO_CACHE_KEY = 'mycelia.info';

function cachedInfo(): Info | null {
	try {
		const raw = localStorage.getItem(INFO_CACHE_KEY);
		const parsed = raw ? v.safeParse(InfoSchema, JSON.parse(raw)) : null;
		return parsed?.success ? parsed.output : null;
	} catch {
		return null;
	}
}

class Session {
	readonly client = new RelayClient();
	identity = $state.raw<Signer | null>(null);
	info = $state.raw<Info | null>(null);
	account = $state.raw<Account | null>(null);
	/** The last error while talking to the relay, for a banner; cleared by the next success. */
	error = $state<string | null>(null);
	ready = $state(false);

	private starting: Promise<void> | null = null;
	private pollTimer: ReturnType<typeof setInterval> | null = null;
	private lastClockSync = 0;
	private refreshTimer: ReturnType<typeof setTimeout> | null = null;
	private lastRefresh = 0;

	get publicKeyHex(): string | null {
		return this.identity?.publicKeyHex ?? null;
	}

	/** Short fingerprint of the key for display: `ab12…ef90`. */
	get fingerprint(): string {
		const k = this.identity?.publicKeyHex;
		return k ? `${k.slice(0, 6)}…${k.slice(-4)}` : '……';
	}

	get canClaimGrant(): boolean {
		return !!this.info && this.info.demoGrantMicro > 0 && !!this.account && !this.account.demoGranted;
	}

	/** Loads the identity and the relay's info; idempotent. */
	start(): Promise<void> {
		this.starting ??= this.doStart();
		return this.starting;
	}

	private async doStart(): Promise<void> {
		const identity = await loadOrCreateIdentity();
		this.identity = identity;
		this.client.signer = identity;
		await this.syncInfo();
		await this.refreshAccount();
		this.ready = true;
		this.pollTimer = setInterval(() => void this.tick(), ACCOUNT_POLL_MS);
	}

	private async tick(): Promise<void> {
		if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
		if (Date.now() - this.lastClockSync > CLOCK_SYNC_MS || !this.info) await this.syncInfo();
		await this.refreshAccount();
	}

	async syncInfo(): Promise<Info | null> {
		try {
			this.info = await this.client.info();
			this.lastClockSync = Date.now();
			this.error = null;
			try {
				localStorage.setItem(INFO_CACHE_KEY, JSON.stringify(this.info));
			} catch {
				// No storage (private mode): the app then needs the network to start.
			}
		} catch (err) {
			this.error = `Relay unreachable: ${describeError(err)}`;
			// Offline start: the last known info lets prefetched work go on; the clock syncs once back.
			this.info ??= cachedInfo();
		}
		return this.info;
	}

	async refreshAccount(): Promise<void> {
		const key = this.publicKeyHex;
		if (!key) return;
		this.lastRefresh = Date.now();
		try {
			this.account = await this.client.account(key);
			this.error = null;
		} catch (err) {
			if (isRelayError(err, 'not_found')) {
				this.account = { key, balanceMicro: 0, starterMicro: 0, demoGranted: false, resultsAccepted: 0, resultsRejected: 0, earnedMicro: 0 };
			} else {
				this.error = `Relay unreachable: ${describeError(err)}`;
			}
		}
	}

	/** Asks for an account refresh soon, coalescing bursts (e.g. one per uploaded result). */
	refreshSoon(): void {
		if (this.refreshTimer) return;
		const wait = Math.max(0, ACCOUNT_REFRESH_MS_MIN - (Date.now() - this.lastRefresh));
		this.refreshTimer = setTimeout(() => {
			this.refreshTimer = null;
			void this.refreshAccount();
		}, wait);
	}

	/** Claims the one-off starter credits. */
	async claimGrant(): Promise<void> {
		try {
			await this.client.grantDemo();
		} finally {
			await this.refreshAccount();
		}
	}

	stop(): void {
		if (this.pollTimer) clearInterval(this.pollTimer);
		this.pollTimer = null;
	}
}

export const session = new Session();
