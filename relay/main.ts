// The relay's entry point: read config, start, print the URL, shut down cleanly on signals.
import { configFromEnv } from './config.js';
import { startRelay } from './server.js';

const config = configFromEnv();
const relay = await startRelay(config);
console.log(`Mycelia relay listening on ${relay.url}`);
console.log(`  storage: ${config.databaseUrl ? 'Postgres (DATABASE_URL)' : `PGlite in ${config.dataDir}`}`);
if (config.testHooks) console.log('  test hooks are ON (MYCELIA_TEST_HOOKS=1): never use this in production');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		if (stopping) return;
		stopping = true;
		console.log(`\n${signal}: finishing in-flight requests, then closing the database…`);
		relay.close().then(
			() => process.exit(0),
			(err: unknown) => {
				console.error('shutdown failed:', err);
				process.exit(1);
			}
		);
	});
}
