// Imported by the generated service worker (vite.config.ts, workbox.importScripts). Background
// Sync wakes it once the network is back: it asks every open Mycelia tab to upload its finished
// results (the signing key and the outbox live with the page). With no tab open it fails, so the
// browser keeps the sync and retries later with backoff.
self.addEventListener('sync', (event) => {
	if (event.tag !== 'mycelia-upload') return;
	event.waitUntil(
		self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((tabs) => {
			if (tabs.length === 0) throw new Error('no open Mycelia tab to upload from yet');
			for (const tab of tabs) tab.postMessage({ type: 'mycelia-upload' });
		})
	);
});
