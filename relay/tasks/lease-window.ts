// How much work one key may hold (issue 14, fair work): what its record has earned, what its
// device can finish soon, what its network may hold, and, while others wait, its fair share.
// Pure arithmetic and words; the claim and the heartbeat apply it.
import type { Device } from '../../src/lib/protocol/devices.js';
import type { LeaseLimit } from '../../src/lib/protocol/leases.js';
import { DEVICE_WORKERS_MAX, FAIR_SHARE_LEASES_MIN, LEASE_FIT_FACTOR, LEASE_WINDOW_LEASES } from '../../src/lib/protocol/limits.js';
import type { RelayConfig } from '../config.js';
import type { Standing } from '../trust/standing.js';

type WindowConfig = Pick<RelayConfig, 'keyLeasesNew' | 'keyLeasesMax' | 'networkLeasesMax' | 'leaseMs'>;

/**
 * Leases a key's record lets it hold: keyLeasesNew to start, one more per valid result in a
 * row, up to keyLeasesMax. After an invalid result the streak starts from zero and grows half as
 * fast for each invalid result the key ever had (probation keys stay small). Trusted keys get
 * the most.
 */
export function keyWindow(standing: Pick<Standing, 'validStreak' | 'invalidTotal' | 'trusted'>, config: WindowConfig): number {
	if (standing.trusted) return config.keyLeasesMax;
	const earned = Math.floor(standing.validStreak / 2 ** Math.min(standing.invalidTotal, 30));
	return Math.min(config.keyLeasesMax, config.keyLeasesNew + earned);
}

/** Workers the relay credits a device with: its cores, at most DEVICE_WORKERS_MAX (1 without a device). */
export function deviceWorkers(device: Device | undefined): number {
	return device ? Math.max(1, Math.min(DEVICE_WORKERS_MAX, device.cores)) : 1;
}

/** The compute time, in ms, a device may have in hand: LEASE_WINDOW_LEASES lease lengths on each of its workers. */
export function deviceWindowMs(device: Device | undefined, leaseMs: number): number {
	return deviceWorkers(device) * LEASE_WINDOW_LEASES * leaseMs;
}

/** What the claim counts a task as costing when the device measured no speed for it: the estimate its LEASE_MS lease assumes. */
export function unmeasuredTaskMs(leaseMs: number): number {
	return Math.ceil(leaseMs / LEASE_FIT_FACTOR);
}

/** A key's share while others wait: the replicas the running jobs still need over the keys contributing now. */
export function fairShare(unfinished: number, keysOnline: number): number {
	return Math.max(FAIR_SHARE_LEASES_MIN, Math.ceil(unfinished / Math.max(1, keysOnline)));
}

const tasks = (n: number) => `${n} task${n === 1 ? '' : 's'}`;

/** The words a contributor's page shows for each bound (from the device's side). */
export const limitOf = {
	key(held: number, max: number, config: WindowConfig): LeaseLimit {
		return {
			code: 'key_window',
			held,
			max,
			message: `this key holds ${tasks(held)}, as many as its record allows for now (a new key may hold ${config.keyLeasesNew}; each valid result in a row adds one, up to ${config.keyLeasesMax})`
		};
	},
	device(held: number, windowMs: number): LeaseLimit {
		return { code: 'device_window', held, max: held, message: `this device holds ${tasks(held)}: as much as it can finish in about ${Math.round(windowMs / 1000)} s at its measured speed` };
	},
	network(held: number, max: number): LeaseLimit {
		return { code: 'network_window', held, max, message: `devices on this network (one shared address) hold ${tasks(held)}, the most one network may hold at once; more as they finish` };
	},
	share(held: number, max: number, unfinished: number): LeaseLimit {
		return { code: 'fair_share', held, max, message: `other devices are waiting for work: this key holds its share (${tasks(held)}; ${unfinished} replicas of tasks are left to compute) until they have some` };
	},
	prefetch(held: number, max: number): LeaseLimit {
		return { code: 'prefetch_window', held, max, message: `this key already holds ${tasks(held)} prefetched for offline work, the most it may` };
	}
};
