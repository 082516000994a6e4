// Whose CPU pressure is it? The Compute Pressure API reports the whole device, Mycelia's own work
// included, so a contributor computing flat out on a small device reads "critical" from its own
// load. Backing off for that would halve the work for nothing. So when pressure turns critical
// while Mycelia computes, new work is held for a moment: if pressure stays critical once every
// task has stopped for PRESSURE_PROBE_IDLE_MS, something else is loading the device and the
// contributor backs off; if it eases, the load was Mycelia's own and work resumes at the chosen
// share (no new probe for PRESSURE_OURS_QUIET_MS).
import type { PressureState } from './device-conditions';

/** Idle this long with pressure still critical: the load is not Mycelia's. */
export const PRESSURE_PROBE_IDLE_MS = 3_000;
/** After the pressure turned out to be Mycelia's own, critical readings are taken as ours this long. */
export const PRESSURE_OURS_QUIET_MS = 60_000;

/**
 * `clear`: no critical pressure. `probing`: critical while computing; new work is held to see
 * whose it is. `ours`: it eased once work stopped (ignored until PRESSURE_OURS_QUIET_MS passes).
 * `external`: still critical with nothing of ours running: back off.
 */
export type ProbeState = 'clear' | 'probing' | 'ours' | 'external';

export class PressureProbe {
	state: ProbeState = 'clear';
	/** When every task last stopped during a probe (null while one still runs). */
	private idleSince: number | null = null;
	private oursUntil = 0;

	/** Feeds a pressure reading, how many tasks compute now, and the time; returns the new state. Pure in its inputs. */
	update(pressure: PressureState, busy: number, now: number): ProbeState {
		const critical = pressure === 'critical';
		if (!critical) {
			// Eased while we held work back: it was our own load.
			if (this.state === 'probing') this.oursUntil = now + PRESSURE_OURS_QUIET_MS;
			this.state = this.state === 'probing' || (this.state === 'ours' && now < this.oursUntil) ? 'ours' : 'clear';
			this.idleSince = null;
			return this.state;
		}
		if (this.state === 'external') return this.state;
		if (this.state === 'ours' && now < this.oursUntil) return this.state;
		if (this.state !== 'probing') {
			this.state = 'probing';
			this.idleSince = null;
		}
		if (busy > 0) this.idleSince = null;
		else this.idleSince ??= now;
		if (this.idleSince !== null && now - this.idleSince >= PRESSURE_PROBE_IDLE_MS) this.state = 'external';
		return this.state;
	}

	/** When a probe that is waiting on idle time will decide, or null. */
	decidesAt(): number | null {
		return this.state === 'probing' && this.idleSince !== null ? this.idleSince + PRESSURE_PROBE_IDLE_MS : null;
	}
}
