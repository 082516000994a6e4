// The app-wide contribution: one contributor and one mesh membership per tab, kept across page
// navigations (leaving /contribute does not stop the work; the Leave button does). It owns the
// device-wide conditions (compute lock, battery, CPU pressure, wake lock), the durable work
// store, and the triggers that upload finished results when the network comes back.
import type { Info } from '$lib/protocol';
import { Contributor, type ContributorOptions } from './contributor.svelte';
import { contributionStatus } from './contribution-status.svelte';
import { holdComputeLock, ScreenWake, watchCharging, watchPressure } from '../device/device-conditions';
import { PeerMesh } from '../mesh/peer-mesh.svelte';
import { describeError, type RelayClient, type Signer } from '../relay-api/relay-client';
import { WorkStore } from '../device/work-store';

/** The Background Sync tag the service worker answers by asking open tabs to upload (static/sw-sync.js). */
const UPLOAD_SYNC_TAG = 'mycelia-upload';
const SETTINGS_KEY = 'mycelia.contribution-settings';

/** What the contributor chose, kept in localStorage. */
interface ContributionSettings {
	cpuShare: number;
	useGpu: boolean;
	onlyWhenCharging: boolean;
	keepAwake: boolean;
}

const DEFAULT_SETTINGS: ContributionSettings = { cpuShare: 100, useGpu: true, onlyWhenCharging: false, keepAwake: false };

function loadSettings(): ContributionSettings {
	try {
		const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(SETTINGS_KEY);
		const parsed: unknown = raw ? JSON.parse(raw) : null;
		if (typeof parsed !== 'object' || parsed === null) return { ...DEFAULT_SETTINGS };
		const p = parsed as Partial<ContributionSettings>;
		return {
			cpuShare: typeof p.cpuShare === 'number' ? p.cpuShare : DEFAULT_SETTINGS.cpuShare,
			useGpu: typeof p.useGpu === 'boolean' ? p.useGpu : DEFAULT_SETTINGS.useGpu,
			onlyWhenCharging: typeof p.onlyWhenCharging === 'boolean' ? p.onlyWhenCharging : DEFAULT_SETTINGS.onlyWhenCharging,
			keepAwake: typeof p.keepAwake === 'boolean' ? p.keepAwake : DEFAULT_SETTINGS.keepAwake
		};
	} catch {
		return { ...DEFAULT_SETTINGS };
	}
}

interface Deps {
	client: RelayClient;
	signer: Signer;
	info: Info;
	onSubmitted?: () => void;
}

class Contribution {
	readonly mesh = new PeerMesh();
	contributor = $state.raw<Contributor | null>(null);
	/** What the first /contribute visit read from its URL (see contributor.svelte.ts). */
	options = $state<ContributorOptions | null>(null);
	settings = $state<ContributionSettings>(loadSettings());
	/** Why a setting could not take effect (no Battery Status, no wake lock…), by setting. */
	notes = $state<Partial<Record<'charging' | 'pressure' | 'awake', string>>>({});

	private preparing: Promise<Contributor> | null = null;
	private releaseLock: (() => void) | null = null;
	private stopCharging: (() => void) | null = null;
	private stopPressure: (() => void) | null = null;
	private readonly wake = new ScreenWake();

	get active(): boolean {
		return this.contributor !== null && this.contributor.state !== 'idle';
	}

	/**
	 * Makes the contributor once per tab and picks up what an earlier page left (unsent results are
	 * uploaded at once, even before anyone presses Join); wires the upload triggers.
	 */
	prepare(deps: Deps): Promise<Contributor> {
		this.preparing ??= (async () => {
			let store: WorkStore | null = null;
			try {
				store = await WorkStore.open();
			} catch (err) {
				console.warn('no durable work store', err);
			}
			const contributor = new Contributor({
				client: deps.client,
				signer: deps.signer,
				leaseMs: deps.info.leaseMs,
				kernels: deps.info.kernels.map((k) => k.id),
				onSubmitted: () => {
					contributionStatus.tasksDone = contributor.tasksDone;
					deps.onSubmitted?.();
				},
				store,
				prefetchMax: deps.info.prefetchTasksMax
			});
			contributor.setCpuShare(this.settings.cpuShare);
			if (!store) contributor.activity = [{ at: Date.now(), text: 'This browser has no IndexedDB: results live in memory only and cannot be prefetched.', tone: 'bad' }];
			this.contributor = contributor;
			this.listen(contributor);
			await contributor.restore();
			return contributor;
		})();
		return this.preparing;
	}

	/** Upload when the network returns, when the page is shown again, and when Background Sync fires. */
	private listen(contributor: Contributor): void {
		if (typeof window === 'undefined') return;
		const flush = () => void contributor.flush();
		// The browser's word is a hint (a failed request is the proof): shown at once, cleared by the next success.
		if (!navigator.onLine) contributor.offline = true;
		window.addEventListener('online', flush);
		window.addEventListener('offline', () => {
			contributor.offline = true;
			void this.requestSync();
		});
		document.addEventListener('visibilitychange', () => {
			if (document.visibilityState === 'visible') flush();
		});
		navigator.serviceWorker?.addEventListener('message', (event: MessageEvent) => {
			if ((event.data as { type?: string } | null)?.type === UPLOAD_SYNC_TAG) flush();
		});
	}

	/** Asks for a Background Sync, where the browser has it, so the upload happens once the network is back. */
	async requestSync(): Promise<void> {
		try {
			const registration = await navigator.serviceWorker?.getRegistration();
			const sync = (registration as (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined)?.sync;
			await sync?.register(UPLOAD_SYNC_TAG);
		} catch {
			// No Background Sync here (Firefox, Safari): `online` and visibility still upload.
		}
	}

	async join(deps: Deps & { workers: number }): Promise<void> {
		if (this.active || !this.options) return;
		const contributor = await this.prepare(deps);
		contributor.gate.set('user', null);
		// One computing tab per device: the lock is held from joining until leaving.
		this.releaseLock = holdComputeLock(contributor.gate);
		await this.applyCharging();
		await this.watchPressure();
		if (this.settings.keepAwake) await this.applyKeepAwake();
		this.mesh.join(deps.client).catch((err: unknown) => {
			this.mesh.error = describeError(err);
			this.mesh.state = 'error';
		});
		const backend = this.options.backend === 'cpu' || !this.settings.useGpu ? 'cpu' : this.options.backend;
		await contributor.start({ workers: deps.workers, backend, faultCorrupt: this.options.faultCorrupt });
		contributionStatus.active = this.active;
	}

	async leave(): Promise<void> {
		this.mesh.leave();
		await this.contributor?.stop();
		contributionStatus.active = false;
		this.releaseLock?.();
		this.releaseLock = null;
		this.stopCharging?.();
		this.stopCharging = null;
		this.stopPressure?.();
		this.stopPressure = null;
		this.wake.disable();
	}

	update(patch: Partial<ContributionSettings>): void {
		this.settings = { ...this.settings, ...patch };
		try {
			localStorage.setItem(SETTINGS_KEY, JSON.stringify(this.settings));
		} catch {
			// Private mode without storage: the setting lasts for this page.
		}
		if (patch.cpuShare !== undefined) this.contributor?.setCpuShare(patch.cpuShare);
		if (patch.onlyWhenCharging !== undefined && this.active) void this.applyCharging();
		if (patch.keepAwake !== undefined && this.active) void this.applyKeepAwake();
	}

	private async applyCharging(): Promise<void> {
		this.stopCharging?.();
		this.stopCharging = null;
		const gate = this.contributor?.gate;
		if (!gate || !this.settings.onlyWhenCharging) return;
		const stop = await watchCharging(gate).catch(() => null);
		this.stopCharging = stop;
		this.notes = { ...this.notes, charging: stop ? undefined : 'this browser does not tell whether the device is charging, so this has no effect' };
	}

	private async watchPressure(): Promise<void> {
		const contributor = this.contributor;
		if (!contributor || this.stopPressure) return;
		contributor.backOff = this.options?.backOff ?? true;
		this.stopPressure = await watchPressure((state) => contributor.setPressure(state));
		this.notes = { ...this.notes, pressure: this.stopPressure ? undefined : 'this browser does not report CPU pressure' };
	}

	private async applyKeepAwake(): Promise<void> {
		if (this.settings.keepAwake) await this.wake.enable();
		else this.wake.disable();
		this.notes = { ...this.notes, awake: this.wake.error ?? undefined };
	}
}

export const contribution = new Contribution();
