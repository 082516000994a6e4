/// <reference types="vite-plugin-pwa/client" />
// The installable app's state: the service worker registration (workbox-window through
// vite-plugin-pwa), whether a new version waits to take over, and how this browser installs the
// app: its own install prompt (Chromium's beforeinstallprompt) or, where there is none (Safari on
// iOS), the Add to Home Screen steps. Registration never throws: no service worker API (some
// test browsers, http on a non-localhost host) or an offline first load only means no cache.

interface InstallPromptEvent extends Event {
	prompt(): Promise<void>;
	userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

class PwaState {
	/** A new version is installed and waiting: offer a reload. */
	needRefresh = $state(false);
	/** The app shell is cached: it opens offline from now on. */
	offlineReady = $state(false);
	/** The browser offered to install (Chromium): the Install button may prompt. */
	canPrompt = $state(false);
	/** Running as an installed app (standalone window or home-screen icon). */
	installed = $state(false);
	/** Safari on iOS: no install prompt; the app installs from the Share menu. */
	iosManual = $state(false);

	private deferred: InstallPromptEvent | null = null;
	private updateSW: ((reload?: boolean) => Promise<void>) | null = null;

	async register(): Promise<void> {
		if (typeof window === 'undefined') return;
		this.watchInstall();
		if (!('serviceWorker' in navigator)) return;
		try {
			const { registerSW } = await import('virtual:pwa-register');
			this.updateSW = registerSW({
				immediate: true,
				onNeedRefresh: () => (this.needRefresh = true),
				onOfflineReady: () => (this.offlineReady = true),
				onRegisterError(error: unknown) {
					console.warn('service worker registration failed', error);
				}
			});
		} catch (error) {
			console.warn('service worker unavailable', error);
		}
	}

	/** Activates the waiting version and reloads (finished results are kept in IndexedDB). */
	async update(): Promise<void> {
		this.needRefresh = false;
		// workbox-window reloads only for updates it found itself; the browser's own update checks
		// (and other tabs') install "external" workers, so reload on the controller change either way.
		let reloading = false;
		navigator.serviceWorker?.addEventListener('controllerchange', () => {
			if (reloading) return;
			reloading = true;
			window.location.reload();
		});
		await this.updateSW?.(true);
	}

	/** Shows the browser's install dialog; false when it was dismissed or is not available. */
	async install(): Promise<boolean> {
		const event = this.deferred;
		if (!event) return false;
		this.deferred = null;
		this.canPrompt = false;
		await event.prompt();
		const { outcome } = await event.userChoice;
		return outcome === 'accepted';
	}

	private watchInstall(): void {
		const standalone = window.matchMedia?.('(display-mode: standalone)').matches || (navigator as Navigator & { standalone?: boolean }).standalone === true;
		this.installed = standalone;
		const ua = navigator.userAgent;
		this.iosManual = !standalone && /iPhone|iPad|iPod/.test(ua) && !/CriOS|FxiOS|EdgiOS/.test(ua);
		window.addEventListener('beforeinstallprompt', (event) => {
			// Keep the browser's own mini-bar away; the Install button asks at a moment the user chose.
			event.preventDefault();
			this.deferred = event as InstallPromptEvent;
			this.canPrompt = true;
		});
		window.addEventListener('appinstalled', () => {
			this.installed = true;
			this.canPrompt = false;
			this.deferred = null;
		});
	}
}

export const pwa = new PwaState();
