// The short version of `npm run sim -- cheaters` that CI runs: every scenario, a smaller
// population and fewer tasks, the real relay over HTTP. Bounds are looser than the full run's
// targets (short runs have colder reputations and fewer tasks to average over) but tight enough
// that losing a defence fails: honest keys are never slashed, copies never pass, cheaters are
// caught, disputes take exactly ⌈log₂ T⌉ rounds and one referee step.
import { expect, test } from 'vitest';
import { SCENARIOS, simulate } from '../../sim/cheaters.js';

/** Wrong results accepted, as a share of accepted tasks, that a short run may show at most. */
const WRONG_RATE_MAX: Record<string, number> = {
	'always-lie': 0.002,
	'lie-with-p-0.1': 0.005,
	'lie-on-large-tasks': 0.005,
	'copy-answers': 0,
	'cartel-5pct': 0.01,
	'silent-in-dispute': 0.002,
	'many-keys': 0.01,
	'turncoat-lie-with-p-0.1': 0.02
};

test('cheater simulator, short run: no honest key slashed, cheaters caught, disputes take log2(T) rounds', async () => {
	const reports = await simulate({
		workers: 40,
		referees: 2,
		warmup: 25,
		results: 1_200,
		scenarios: SCENARIOS,
		seed: 7,
		log: (line) => console.log(`[sim] ${line}`),
		explain: true
	});
	expect(reports.map((r) => r.scenario)).toEqual(SCENARIOS.map((s) => s.name));
	let refereed = 0;
	for (const r of reports) {
		const name = r.scenario as string;
		const m = r as Record<string, number> & { scenario: string };
		expect(m.tasksAccepted, `${name}: tasks accepted`).toBeGreaterThan(300);
		expect(m.honestSlashed, `${name}: honest keys slashed`).toBe(0);
		expect(m.honestInvalid, `${name}: honest keys found invalid`).toBe(0);
		expect(m.copiesAccepted, `${name}: copied answers accepted`).toBe(0);
		expect(m.wrongAcceptedRate, `${name}: wrong results accepted`).toBeLessThanOrEqual(WRONG_RATE_MAX[name] ?? 0);
		expect(m.disputesLogRounds, `${name}: refereed disputes that took exactly log2(T) rounds`).toBe(m.disputesRefereed);
		expect(m.stepFailures, `${name}: simulated worker steps that failed`).toBe(0);
		if (name !== 'copy-answers') expect(m.cheatersCaught, `${name}: cheaters caught`).toBeGreaterThan(0);
		refereed += m.disputesRefereed ?? 0;
	}
	expect(refereed, 'refereed disputes across the scenarios').toBeGreaterThan(0);
	const silent = reports.find((r) => r.scenario === 'silent-in-dispute') as Record<string, number>;
	expect(silent.disputesTimedOut, 'silent cheaters lose disputes on time').toBeGreaterThan(0);
}, 1_500_000);
