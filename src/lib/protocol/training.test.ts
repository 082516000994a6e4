import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { HostMessageSchema, SESSION_PEERS_MAX, SESSION_ROUNDS_MAX, SESSION_TITLE_CHARS_MAX, TrainReceiptSchema, type RoundSummary } from './training';

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

describe('training receipts', () => {
	const key = (i: number) => i.toString(16).padStart(64, '0');
	const update = { sha256: 'cd'.repeat(32), signature: 'ef'.repeat(64) };
	it('name each contributor with its signed update, and at most a session of them', () => {
		const accepted = Array.from({ length: 40 }, (_, i) => ({ worker: key(i), tokens: 10, update }));
		const rejected = Array.from({ length: SESSION_PEERS_MAX - 40 }, (_, i) => ({ worker: key(100 + i), update }));
		expect(v.safeParse(TrainReceiptSchema, { round: 1, accepted, rejected }).success).toBe(true);
		expect(v.safeParse(TrainReceiptSchema, { round: 1, accepted, rejected: [...rejected, { worker: key(999), update }] }).success).toBe(false);
	});

	it('refuse bare keys (the old shape), missing or malformed statements and unknown fields', () => {
		expect(v.safeParse(TrainReceiptSchema, { round: 1, accepted: [], rejected: [key(1)] }).success).toBe(false);
		expect(v.safeParse(TrainReceiptSchema, { round: 1, accepted: [{ worker: key(1), tokens: 10 }], rejected: [] }).success).toBe(false);
		expect(v.safeParse(TrainReceiptSchema, { round: 1, accepted: [], rejected: [{ worker: key(1), update: { ...update, signature: 'ef' } }] }).success).toBe(false);
		expect(v.safeParse(TrainReceiptSchema, { round: 1, accepted: [], rejected: [{ worker: key(1), update, note: 'x' }] }).success).toBe(false);
		expect(v.safeParse(TrainReceiptSchema, { round: 1, accepted: [], rejected: [], extra: true }).success).toBe(false);
	});
});
