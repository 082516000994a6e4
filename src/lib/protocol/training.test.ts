import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { HostMessageSchema, SESSION_ROUNDS_MAX, SESSION_TITLE_CHARS_MAX, type RoundSummary } from './training';

const welcome = { type: 'welcome', title: 'Our class', baseSha256: 'ab'.repeat(32), keepShare: 0.25, history: [] as RoundSummary[] };
const summary = (round: number): RoundSummary => ({ round, validationLoss: 2, accepted: 1, rejected: 0, tokensPerSecond: 100, sample: 'text' });

describe('the welcome message', () => {
	it('carries the host’s classroom demonstration setting', () => {
		const on = v.parse(HostMessageSchema, { ...welcome, demonstration: true });
		expect(on.type === 'welcome' && on.demonstration).toBe(true);
		const off = v.parse(HostMessageSchema, { ...welcome, demonstration: false });
		expect(off.type === 'welcome' && off.demonstration).toBe(false);
	});

	it('means no demonstration when a host does not say (a host from before the setting)', () => {
		const old = v.parse(HostMessageSchema, welcome);
		expect(old.type === 'welcome' && old.demonstration).toBe(false);
	});

	it('takes only a boolean for the setting', () => {
		expect(v.safeParse(HostMessageSchema, { ...welcome, demonstration: 'yes' }).success).toBe(false);
		expect(v.safeParse(HostMessageSchema, { ...welcome, demonstration: 1 }).success).toBe(false);
	});

	it('is bounded: a title and a history no longer than a session allows', () => {
		expect(v.safeParse(HostMessageSchema, { ...welcome, title: 'x'.repeat(SESSION_TITLE_CHARS_MAX + 1) }).success).toBe(false);
		const full = Array.from({ length: SESSION_ROUNDS_MAX }, (_, i) => summary(i + 1));
		expect(v.safeParse(HostMessageSchema, { ...welcome, history: full }).success).toBe(true);
		expect(v.safeParse(HostMessageSchema, { ...welcome, history: [...full, summary(1)] }).success).toBe(false);
	});
});
