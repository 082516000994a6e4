import { describe, expect, it } from 'vitest';
import { PRESSURE_OURS_QUIET_MS, PRESSURE_PROBE_IDLE_MS, PressureProbe } from './pressure-probe';

describe('pressure probe: back off only for load that is not Mycelia’s', () => {
	it('critical pressure that eases once our work stops was ours: no back-off, no new probe for a while', () => {
		const p = new PressureProbe();
		expect(p.update('nominal', 2, 0)).toBe('clear');
		expect(p.update('critical', 2, 1_000)).toBe('probing');
		// Tasks finish; nothing new starts; the reading eases.
		expect(p.update('critical', 0, 1_500)).toBe('probing');
		expect(p.decidesAt()).toBe(1_500 + PRESSURE_PROBE_IDLE_MS);
		expect(p.update('fair', 0, 2_500)).toBe('ours');
		// Work resumes and the device reads critical again: taken as ours, no probe.
		expect(p.update('critical', 2, 3_000)).toBe('ours');
		expect(p.update('critical', 2, 2_500 + PRESSURE_OURS_QUIET_MS - 1)).toBe('ours');
		// After the quiet time a critical reading is probed again.
		expect(p.update('critical', 2, 2_500 + PRESSURE_OURS_QUIET_MS)).toBe('probing');
	});

	it('critical pressure that stays critical with nothing of ours running is external: back off until it eases', () => {
		const p = new PressureProbe();
		expect(p.update('critical', 1, 0)).toBe('probing');
		expect(p.decidesAt()).toBeNull();
		expect(p.update('critical', 0, 100)).toBe('probing');
		expect(p.update('critical', 0, 100 + PRESSURE_PROBE_IDLE_MS - 1)).toBe('probing');
		expect(p.update('critical', 0, 100 + PRESSURE_PROBE_IDLE_MS)).toBe('external');
		// Backing off, our work runs at half share; the reading stays critical: still external.
		expect(p.update('critical', 1, 10_000)).toBe('external');
		expect(p.update('nominal', 1, 12_000)).toBe('clear');
	});

	it('a task still running restarts the idle clock', () => {
		const p = new PressureProbe();
		p.update('critical', 0, 0);
		p.update('critical', 1, PRESSURE_PROBE_IDLE_MS - 10);
		expect(p.update('critical', 0, PRESSURE_PROBE_IDLE_MS)).toBe('probing');
		expect(p.update('critical', 0, 2 * PRESSURE_PROBE_IDLE_MS)).toBe('external');
	});

	it('serious is not critical: nothing happens', () => {
		const p = new PressureProbe();
		expect(p.update('serious', 4, 0)).toBe('clear');
	});
});
