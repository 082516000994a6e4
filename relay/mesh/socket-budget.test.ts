import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { addressGroup, SocketBudget } from './socket-budget.js';

describe('socket budget', () => {
	it('counts IPv4 addresses singly and IPv6 by /64', () => {
		expect(addressGroup('203.0.113.7')).toBe('203.0.113.7');
		expect(addressGroup('::ffff:203.0.113.7')).toBe('203.0.113.7');
		expect(addressGroup('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
		expect(addressGroup('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
		expect(addressGroup('2001:db8::1')).toBe('2001:db8:0:0::/64');
		expect(addressGroup(undefined)).toBe('?');
	});

	it('holds sockets within each bound and gives them back on release', () => {
		const b = new SocketBudget({ total: 3, perAddress: 2, perKey: 1 });
		const r1 = b.reserveAddress('a');
		b.reserveAddress('a');
		expect(() => b.reserveAddress('a')).toThrow(DomainError);
		b.reserveAddress('b');
		expect(() => b.reserveAddress('c')).toThrow(/its most/);
		r1();
		r1();
		expect(b.size).toBe(2);
		b.reserveAddress('c');
		const k = b.reserveKey('k');
		expect(() => b.reserveKey('k')).toThrow(/one key may hold/);
		k();
		b.reserveKey('k');
	});

	it('lets an address try twice its socket bound at once, then at its bound per minute', () => {
		let now = 0;
		const b = new SocketBudget({ total: 100, perAddress: 10, perKey: 10 }, () => now);
		for (let i = 0; i < 20; i++) b.attempt('a');
		expect(() => b.attempt('a')).toThrow(/in a short while/);
		b.attempt('b');
		now += 6_000;
		b.attempt('a');
		expect(() => b.attempt('a')).toThrow(DomainError);
	});
});
