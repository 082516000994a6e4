import { describe, expect, it } from 'vitest';
import { statusLine, type StatusFacts } from './status-line.js';

const running: StatusFacts = { state: 'running', offline: false, unsent: 0, prefetched: 0, gateReason: null, busy: 0, resting: 0, measuring: false, effectiveShare: 100, backingOff: false, noWork: true, claimLimit: null, awaitingReveal: 0 };

describe('statusLine', () => {
	it('says the words the page and its end-to-end tests read', () => {
		expect(statusLine({ ...running, state: 'idle' })).toBe('not contributing');
		expect(statusLine({ ...running, state: 'idle', unsent: 2 })).toBe('not contributing: 2 results waiting to upload');
		expect(statusLine({ ...running, offline: true, unsent: 1, prefetched: 3 })).toBe('offline: 1 result waiting to upload; computing 3 prefetched tasks');
		expect(statusLine({ ...running, offline: true })).toBe('offline: nothing waiting to upload');
		expect(statusLine({ ...running, state: 'starting' })).toBe('starting the workers');
		expect(statusLine({ ...running, state: 'stopping' })).toBe('leaving');
		expect(statusLine({ ...running, gateReason: 'paused', busy: 2 })).toBe('paused after the current tasks');
		expect(statusLine({ ...running, gateReason: 'paused' })).toBe('paused');
		expect(statusLine({ ...running, measuring: true })).toBe('measuring this device: timing each kernel on WebGPU and on the CPU twin');
		expect(statusLine({ ...running, busy: 1, unsent: 1 })).toBe('computing 1 task; 1 result waiting to upload');
		expect(statusLine({ ...running, resting: 1, effectiveShare: 50 })).toBe('resting between tasks (CPU share 50%)');
		expect(statusLine({ ...running, backingOff: true, effectiveShare: 50, busy: 2 })).toBe('backing off: other work keeps the CPU under critical pressure (CPU share 50%); computing 2 tasks');
		expect(statusLine({ ...running, noWork: false })).toBe('computing: fetching the next task');
		const limit = { code: 'key_window' as const, message: 'this key holds 4 tasks, as many as its record allows for now', held: 4, max: 4 };
		expect(statusLine({ ...running, claimLimit: limit })).toBe('not taking more work: this key holds 4 tasks, as many as its record allows for now');
		expect(statusLine({ ...running, awaitingReveal: 1 })).toBe('waiting for another device to finish 1 task this device computed (each needs two devices)');
		expect(statusLine(running)).toBe('waiting for work: no open tasks right now');
	});
});
