import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumArgs, chromiumPath } from './scripts/chromium.js';

export default defineConfig({
	plugins: [
		sveltekit(),
		SvelteKitPWA({
			// A new version waits for the user's reload (update-banner.svelte) instead of taking over
			// a contributing tab; the first install still takes control of the open page at once.
			registerType: 'prompt',
			// SvelteKit builds with relative asset paths; the service worker must still be /sw.js
			// with scope / whichever page (/jobs/…, /contribute) registers it.
			base: '/',
			scope: '/',
			manifest: {
				name: 'Mycelia',
				short_name: 'Mycelia',
				description: 'Volunteer compute from your browser: only verified work is paid.',
				theme_color: '#0f1a14',
				background_color: '#0f1a14',
				display: 'standalone',
				start_url: '/',
				icons: [
					{ src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
					{ src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
					{ src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' }
				]
			},
			// adapter-static writes index.html as the SPA fallback after this plugin runs: tell it,
			// so index.html is precached and offline navigations fall back to it.
			kit: { adapterFallback: 'index.html', spa: true },
			workbox: {
				globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
				navigateFallback: '/index.html',
				clientsClaim: true,
				// The API and signalling are live: never served from the cache.
				navigateFallbackDenylist: [/^\/api\//, /^\/peerjs/],
				// Background Sync: asks open tabs to upload finished results once the network is back.
				importScripts: ['/sw-sync.js']
			}
		})
	],
	worker: { format: 'es' },
	test: {
		// Vitest would run one file at a time on a 2-core machine; two overlap the many tests that
		// wait (relay start-ups, lease expiries, browser round trips) with the ones that compute.
		// All three projects share the two workers (a project with its own worker count would run
		// as a separate phase after the others: see vitest's sequence.groupOrder).
		maxWorkers: 2,
		projects: [
			{
				extends: true,
				test: {
					name: 'node',
					include: ['src/**/*.test.ts', 'relay/**/*.test.ts', 'scripts/**/*.test.ts', 'cli/**/*.test.ts'],
					exclude: ['**/*.browser.test.ts', 'node_modules/**'],
					environment: 'node',
					testTimeout: 30_000,
					// Starting PGlite takes seconds on a busy 2-core machine.
					hookTimeout: 60_000
				}
			},
			{
				extends: true,
				test: {
					name: 'browser',
					include: ['src/**/*.browser.test.ts'],
					testTimeout: 60_000,
					browser: {
						enabled: true,
						headless: true,
						instances: [{ browser: 'chromium' }],
						provider: playwright({
							launchOptions: { executablePath: chromiumPath(), args: chromiumArgs({ webgpu: true }) }
						})
					}
				}
			},
			{
				test: {
					name: 'e2e',
					include: ['tests/e2e/**/*.test.ts'],
					environment: 'node',
					testTimeout: 600_000,
					hookTimeout: 120_000
				}
			}
		]
	}
});
