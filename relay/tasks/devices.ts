import type { Device } from '../../src/lib/protocol/devices.js';
import { TASK_SECONDS_MAX } from '../../src/lib/protocol/limits.js';
import { int, type Sql } from '../store/db.js';

/** How stale a device's last-seen time may get before a claim refreshes it. */
const DEVICE_SEEN_RESOLUTION_MS = 60_000;

/**
 * Keeps what a key's device last advertised (one row per key and device). Every claim carries
 * the device, so the row is only rewritten when something changed or a minute has passed: a
 * claim's hot path does not pay a write each time.
 */
export async function recordDevice(db: Sql, key: string, device: Device, now: number): Promise<void> {
	await db.query(
		`INSERT INTO devices (key, id, label, cores, memory_gb, gpu, score, first_seen_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7, $8, $8)
		ON CONFLICT (key, id) DO UPDATE SET label = excluded.label, cores = excluded.cores, memory_gb = excluded.memory_gb,
			gpu = excluded.gpu, score = excluded.score, last_seen_at = excluded.last_seen_at
		WHERE devices.last_seen_at < excluded.last_seen_at - ${DEVICE_SEEN_RESOLUTION_MS}
			OR (devices.label, devices.cores, devices.memory_gb, devices.gpu, devices.score)
				IS DISTINCT FROM (excluded.label, excluded.cores, excluded.memory_gb, excluded.gpu, excluded.score)`,
		[key, device.id, device.label, device.cores, device.memoryGb, device.gpu === null ? null : JSON.stringify(device.gpu), device.score, now]
	);
}

/**
 * The largest task (by price, which every kernel sets at 1 µcr per 10,000 basic operations, so
 * price measures work) a device should finish within TASK_SECONDS_MAX at its benchmark speed;
 * 0 means no limit (the device reported no speed).
 */
export function workLimitMicro(device: Device | undefined): number {
	if (!device || !(device.score > 0)) return 0;
	return Math.max(1, Math.floor(device.score * TASK_SECONDS_MAX));
}

/** Prefetched leases the key still holds (unexpired and not yet committed). */
export async function offlineLeasesHeld(db: Sql, key: string, now: number): Promise<number> {
	const [row] = await db.query<{ n: unknown }>(
		`SELECT count(*) AS n FROM leases WHERE worker = $1 AND offline AND state = 'active' AND expires_at > $2`,
		[key, now]
	);
	return int(row?.n ?? 0);
}
