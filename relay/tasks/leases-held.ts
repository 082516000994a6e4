import { QUORUM } from '../../src/lib/protocol/limits.js';
import { int, type Sql } from '../store/db.js';

/**
 * What a claim weighs: leases in hand (active, unexpired) of one key (prefetched ones aside) and
 * of one network (all), and the replicas the running jobs' unfinished tasks still need in all,
 * the work there is to share.
 */
export interface LeasesHeld {
	key: number;
	network: number;
	unfinished: number;
}

/** Counts them; the network's only for a known network, the unfinished work only when asked for (0 otherwise). */
export async function leasesHeld(db: Sql, key: string, network: string, withUnfinished: boolean, now: number): Promise<LeasesHeld> {
	const [row] = await db.query<{ key_n: unknown; network_n: unknown; unfinished_n: unknown }>(
		`SELECT
			(SELECT count(*) FROM leases WHERE worker = $1 AND state = 'active' AND NOT offline AND expires_at > $4) AS key_n,
			CASE WHEN $2 = '' THEN 0 ELSE (SELECT count(*) FROM leases WHERE network = $2 AND state = 'active' AND network <> '' AND expires_at > $4) END AS network_n,
			CASE WHEN $3::boolean THEN (SELECT coalesce(sum(tasks - tasks_done - tasks_failed), 0) * ${QUORUM} FROM jobs WHERE state = 'running') ELSE 0 END AS unfinished_n`,
		[key, network, withUnfinished, now]
	);
	return { key: int(row?.key_n ?? 0), network: int(row?.network_n ?? 0), unfinished: int(row?.unfinished_n ?? 0) };
}
