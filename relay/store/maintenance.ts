import type { Db } from './db.js';

/** How often PGlite's tables are vacuumed and analysed. */
const MAINTENANCE_INTERVAL_MS = 20_000;

/**
 * PGlite runs Postgres in single-user mode, so there is no autovacuum: without this, dead rows
 * from lease and balance updates pile up and the planner never learns table sizes (claims then
 * sort every open task instead of walking the queue index). Postgres does this itself.
 */
export interface Maintenance {
	/** Asks for an ANALYZE soon, e.g. after a job added many tasks, so claims keep walking the queue index. */
	soon(): void;
	stop(): Promise<void>;
}

/** Delay before an ANALYZE asked for by `soon()`, so a burst of new jobs costs one pass. */
const SOON_DELAY_MS = 200;
/**
 * At most one `soon()` ANALYZE per this long: it takes 100+ ms on a busy relay, and a steady
 * stream of new jobs would otherwise spend a good share of the database on it.
 */
const SOON_INTERVAL_MS_MIN = 10_000;

export function startMaintenance(db: Db, log: (msg: string) => void = () => {}): Maintenance {
	if (db.kind !== 'pglite') return { soon: () => {}, stop: async () => {} };
	let pending: ReturnType<typeof setTimeout> | null = null;
	let running: Promise<void> = Promise.resolve();
	let lastSoonAt = -Infinity;
	const run = (sql = 'VACUUM ANALYZE') => {
		running = db.query(sql).then(
			() => {},
			(err: unknown) => log(`maintenance failed: ${(err as Error).message}`)
		);
	};
	run();
	const timer = setInterval(run, MAINTENANCE_INTERVAL_MS);
	timer.unref();
	return {
		soon() {
			if (pending) return;
			const delay = Math.max(SOON_DELAY_MS, lastSoonAt + SOON_INTERVAL_MS_MIN - Date.now());
			pending = setTimeout(() => {
				pending = null;
				lastSoonAt = Date.now();
				run('ANALYZE');
			}, delay);
			pending.unref?.();
		},
		async stop() {
			clearInterval(timer);
			if (pending) clearTimeout(pending);
			await running;
		}
	};
}
