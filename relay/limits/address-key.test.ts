import { describe, expect, it } from 'vitest';
import { addressKey } from './address-key.js';

describe('addressKey', () => {
	it('counts IPv4 addresses one by one, mapped or not', () => {
		expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
		expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
		expect(addressKey('127.0.0.1')).toBe('127.0.0.1');
	});

	it('counts IPv6 by /64, however the address is written', () => {
		const k = '2001:db8:1:2::/64';
		expect(addressKey('2001:db8:1:2::1')).toBe(k);
		expect(addressKey('2001:0db8:0001:0002:ffff:1:2:3')).toBe(k);
		expect(addressKey('2001:DB8:1:2:0:0:0:9')).toBe(k);
		expect(addressKey('2001:db8:1:3::1')).not.toBe(k);
		expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
		expect(addressKey('::1')).toBe('0:0:0:0::/64');
		expect(addressKey('64:ff9b::1.2.3.4')).toBe('64:ff9b:0:0::/64');
	});

	it('puts anything unreadable in one shared bucket', () => {
		expect(addressKey(undefined)).toBe('unknown');
		expect(addressKey('not an address')).toBe('unknown');
	});
});
