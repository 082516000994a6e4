import { describe, expect, it } from 'vitest';
import { WorkGate } from './work-gate.svelte';

describe('WorkGate', () => {
	it('says the most important reason and opens only when every condition has cleared', () => {
		const gate = new WorkGate();
		expect(gate.open).toBe(true);
		gate.set('battery', 'paused: on battery');
		gate.set('lock', 'waiting: another Mycelia tab on this device is computing');
		expect(gate.reason).toBe('waiting: another Mycelia tab on this device is computing');
		gate.set('user', 'paused');
		expect(gate.reason).toBe('paused');
		gate.set('user', null);
		gate.set('lock', null);
		expect(gate.reason).toBe('paused: on battery');
		expect(gate.has('battery')).toBe(true);
		gate.set('battery', null);
		expect(gate.open).toBe(true);
	});

	it('lets waiting loops go when it opens, or when they are stopped', async () => {
		const gate = new WorkGate();
		gate.set('lock', 'waiting: another Mycelia tab on this device is computing');
		let passed = 0;
		const stop = new AbortController();
		const a = gate.wait(new AbortController().signal).then(() => passed++);
		const b = gate.wait(stop.signal).then(() => passed++);
		await new Promise((r) => setTimeout(r, 10));
		expect(passed).toBe(0);
		stop.abort();
		await b;
		expect(passed).toBe(1);
		gate.set('lock', null);
		await a;
		expect(passed).toBe(2);
		// An open gate does not wait at all.
		await gate.wait(new AbortController().signal);
	});
});
