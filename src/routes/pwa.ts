/// <reference types="vite-plugin-pwa/client" />
// Registers the PWA service worker. Never throws: a missing service worker API (some test
// browsers, http on a non-localhost host) or an offline first load just means no offline cache.
export async function registerServiceWorker(): Promise<void> {
	if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
	try {
		const { registerSW } = await import('virtual:pwa-register');
		registerSW({
			immediate: true,
			onRegisterError(error: unknown) {
				console.warn('service worker registration failed', error);
			}
		});
	} catch (error) {
		console.warn('service worker unavailable', error);
	}
}
