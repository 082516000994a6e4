import { describe, expect, it } from 'vitest';
import type { Device } from '../../src/lib/protocol/devices.js';
import { DEVICE_WORKERS_MAX, FAIR_SHARE_LEASES_MIN, KEY_LEASES_MAX, KEY_LEASES_NEW, LEASE_WINDOW_LEASES } from '../../src/lib/protocol/limits.js';
import { deviceWindowMs, deviceWorkers, fairShare, keyWindow } from './lease-window.js';

const config = { keyLeasesNew: KEY_LEASES_NEW, keyLeasesMax: KEY_LEASES_MAX, networkLeasesMax: 512, leaseMs: 60_000 };
const key = (validStreak: number, invalidTotal = 0, trusted = false) => ({ validStreak, invalidTotal, trusted });

describe('lease windows', () => {
	it('a new key starts small, each valid result in a row adds one, up to the most', () => {
		expect(keyWindow(key(0), config)).toBe(KEY_LEASES_NEW);
		expect(keyWindow(key(5), config)).toBe(KEY_LEASES_NEW + 5);
		expect(keyWindow(key(10_000), config)).toBe(KEY_LEASES_MAX);
		expect(keyWindow(key(0, 0, true), config)).toBe(KEY_LEASES_MAX);
	});

	it('a key with invalid results grows half as fast for each', () => {
		expect(keyWindow(key(8, 1), config)).toBe(KEY_LEASES_NEW + 4);
		expect(keyWindow(key(8, 3), config)).toBe(KEY_LEASES_NEW + 1);
		expect(keyWindow(key(1_000_000, 60), config)).toBe(KEY_LEASES_NEW);
	});

	it('credits a device with its cores up to the pool maximum, and a window of lease lengths on each', () => {
		const device = (cores: number): Device => ({ id: 'device-0001', label: 'd', cores, memoryGb: 4, gpu: null, score: 1 });
		expect(deviceWorkers(undefined)).toBe(1);
		expect(deviceWorkers(device(2))).toBe(2);
		expect(deviceWorkers(device(1024))).toBe(DEVICE_WORKERS_MAX);
		expect(deviceWindowMs(device(2), 10_000)).toBe(2 * LEASE_WINDOW_LEASES * 10_000);
	});

	it('a fair share is the work left over the keys contributing, never below the floor', () => {
		expect(fairShare(100, 10)).toBe(10);
		expect(fairShare(101, 10)).toBe(11);
		expect(fairShare(3, 10)).toBe(FAIR_SHARE_LEASES_MIN);
		expect(fairShare(50, 0)).toBe(50);
	});
});
