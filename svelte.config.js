import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PAGES_DIR = 'build';
// The relay serves build/ and falls back to index.html for client-side routes.
const staticAdapter = adapter({ pages: PAGES_DIR, assets: PAGES_DIR, fallback: 'index.html', strict: true });

/**
 * adapter-static, and the app's page patterns in build/routes.json: with them the relay answers
 * a path no page matches with 404 (still the app shell, which shows the not-found page), not 200.
 * @type {import('@sveltejs/kit').Adapter}
 */
const appAdapter = {
	...staticAdapter,
	name: 'mycelia-static',
	async adapt(builder) {
		await staticAdapter.adapt(builder);
		const routes = builder.routes.filter((r) => r.page.methods.length > 0).map((r) => ({ id: r.id, pattern: r.pattern.source }));
		writeFileSync(join(PAGES_DIR, 'routes.json'), JSON.stringify({ routes }));
	}
};

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: { adapter: appAdapter }
};

export default config;
