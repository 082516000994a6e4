import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestRelay } from './testing/test-relay.js';

const SHELL = '<!doctype html><title>Mycelia</title><div id="app"></div>';
/** As svelte.config.js writes them from SvelteKit's own route patterns. */
const ROUTES = {
	routes: [
		{ id: '/', pattern: '^\\/$' },
		{ id: '/jobs', pattern: '^\\/jobs\\/?$' },
		{ id: '/jobs/[id]', pattern: '^\\/jobs\\/([^/]+?)\\/?$' }
	]
};

const dirs: string[] = [];
function buildDir(withRoutes: boolean): string {
	const dir = mkdtempSync(join(tmpdir(), 'mycelia-static-'));
	dirs.push(dir);
	writeFileSync(join(dir, 'index.html'), SHELL);
	if (withRoutes) writeFileSync(join(dir, 'routes.json'), JSON.stringify(ROUTES));
	return dir;
}
afterAll(() => {
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function get(url: string) {
	const res = await fetch(url);
	return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

describe('the app shell for unknown paths', () => {
	it('answers pages with 200 and any other path with 404, both with the shell (which shows the not-found page)', async () => {
		const relay = await startTestRelay({ staticDir: buildDir(true) });
		try {
			for (const path of ['/', '/jobs', '/jobs/', '/jobs/j0123abc']) {
				expect(await get(relay.url + path), path).toMatchObject({ status: 200, body: SHELL });
			}
			for (const path of ['/nope', '/jobs/a/b', '/Jobs-list']) {
				const res = await get(relay.url + path);
				expect(res, path).toMatchObject({ status: 404, body: SHELL });
				expect(res.type).toMatch(/text\/html/);
			}
			// The API keeps its own JSON 404.
			const api = await get(`${relay.url}/api/v1/nope`);
			expect(api.status).toBe(404);
			expect(JSON.parse(api.body)).toMatchObject({ error: { code: 'not_found' } });
		} finally {
			await relay.close();
		}
	});

	it('serves every path with 200 for a build without routes.json, as before', async () => {
		const relay = await startTestRelay({ staticDir: buildDir(false) });
		try {
			expect(await get(`${relay.url}/nope`)).toMatchObject({ status: 200, body: SHELL });
		} finally {
			await relay.close();
		}
	});
});
