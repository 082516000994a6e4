// The PWA's page patterns (build/routes.json, written by svelte.config.js at build time), so a
// path no page matches gets a 404 status: still the app shell, which shows its not-found page.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';

/** A build has a dozen pages; anything far beyond that is not a routes file we wrote. */
const APP_ROUTES_MAX = 256;

const RoutesFileSchema = v.object({
	routes: v.pipe(v.array(v.object({ id: v.string(), pattern: v.pipe(v.string(), v.maxLength(1000)) })), v.maxLength(APP_ROUTES_MAX))
});

/** Whether a path is one of the app's pages; every path is, for a build without routes.json. */
export type AppRouteMatcher = (path: string) => boolean;

export function loadAppRoutes(staticDir: string): AppRouteMatcher {
	const file = join(staticDir, 'routes.json');
	if (!existsSync(file)) return () => true;
	const { routes } = v.parse(RoutesFileSchema, JSON.parse(readFileSync(file, 'utf8')));
	const patterns = routes.map((r) => new RegExp(r.pattern));
	return (path) => patterns.some((p) => p.test(path));
}
