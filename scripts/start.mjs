// `npm start`: build the PWA if it is missing or older than its sources, then run the relay
// (PWA + API + signalling on one port; PGlite data in ./data unless DATA_DIR/DATABASE_URL say otherwise).
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const built = join(root, 'build', 'index.html');

/** Newest modification time under the given paths (files or folders). */
function newest(paths) {
	let t = 0;
	for (const p of paths) {
		const full = join(root, p);
		if (!existsSync(full)) continue;
		const st = statSync(full);
		if (st.isDirectory()) t = Math.max(t, newest(readdirSync(full).map((f) => join(p, f))));
		else t = Math.max(t, st.mtimeMs);
	}
	return t;
}

const sources = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json'];
if (!existsSync(built) || newest(sources) > statSync(built).mtimeMs) {
	console.log('Building the PWA (vite build)…');
	const r = spawnSync('npx', ['vite', 'build'], { cwd: root, stdio: 'inherit' });
	if (r.status !== 0) process.exit(r.status ?? 1);
}
// Run the relay directly under node (not via npx) so SIGTERM reaches it and it shuts down cleanly.
const relay = spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], { cwd: root, stdio: 'inherit' });
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => relay.kill(s));
relay.on('exit', (code) => process.exit(code ?? 0));
