// `npm test`: every gate and every test suite, in the order that fails fastest.
// Chromium is required: a missing browser is a failure with instructions, never a silent skip.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
	console.error(`\nChromium not found at ${chromium}.\nInstall Debian's chromium (sudo apt-get install -y chromium) or set CHROMIUM_PATH.\nThe browser, WebGPU, IndexedDB and end-to-end suites cannot run without it.\n`);
	process.exit(1);
}

const steps = [
	['sync (svelte-kit)', 'npx', ['svelte-kit', 'sync']],
	['types (svelte-check)', 'npx', ['svelte-check', '--tsconfig', './tsconfig.json', '--fail-on-warnings']],
	['types (relay tsc)', 'npx', ['tsc', '-p', 'tsconfig.relay.json', '--noEmit']],
	['lint (eslint: floating promises, import boundaries)', 'npx', ['eslint', '--max-warnings', '0', '.'], {}, 'fix each error above: await the promise, .catch it and report, or `void` it where fire-and-forget is meant; keep imports inside the boundaries (scripts/lint/import-boundaries.js)'],
	['unused code (knip)', 'npx', ['knip', '--no-progress'], {}, 'remove what nothing uses: a dead function, or the `export` of a name used only in its own file (knip.jsonc lists the entry points)'],
	['build (vite)', 'npx', ['vite', 'build', '--logLevel', 'warn']],
	['tests (node, browser, e2e)', 'npx', ['vitest', 'run', ...process.argv.slice(2)]]
];
// The relay and ledger suites again on real Postgres, when one is given (.ci/run starts one).
if (process.env.TEST_POSTGRES_URL) {
	steps.push(['tests (relay on Postgres)', 'npx', ['vitest', 'run', '--project', 'node', 'relay'], { TEST_DATABASE_URL: process.env.TEST_POSTGRES_URL }]);
}
for (const [name, cmd, args, env, hint] of steps) {
	console.log(`\n▶ ${name}: ${cmd} ${args.join(' ')}`);
	const started = Date.now();
	const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
	if (r.status !== 0) {
		console.error(`\n✗ ${name} failed (exit ${r.status})${hint ? `: ${hint}` : ''}`);
		process.exit(r.status ?? 1);
	}
	console.log(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
