import { describe, expect, it } from 'vitest';
import { networkOf } from './network.js';

describe('networkOf', () => {
	it('groups IPv4 by /24 and IPv6 by /48', () => {
		expect(networkOf('203.0.113.7')).toBe('203.0.113.0/24');
		expect(networkOf('::ffff:203.0.113.9')).toBe('203.0.113.0/24');
		expect(networkOf('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
		expect(networkOf('2001:db8::1')).toBe('2001:db8:0::/48');
		expect(networkOf('2001:0db8:0abc:ffff:0:0:0:1')).toBe('2001:db8:abc::/48');
	});
	it('cannot tell loopback or garbage apart', () => {
		for (const a of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1', undefined, '', 'not-an-ip']) expect(networkOf(a)).toBe('');
	});
	it('applies no rule to private and link-local addresses (a relay reached over a LAN)', () => {
		for (const a of ['10.0.0.7', '172.16.4.2', '172.31.255.1', '192.168.1.23', '169.254.3.3', '::ffff:192.168.0.9', 'fd12:3456::1', 'fe80::1']) {
			expect(networkOf(a)).toBe('');
		}
		// Just outside the private ranges: public networks, grouped as usual.
		expect(networkOf('172.32.0.1')).toBe('172.32.0.0/24');
		expect(networkOf('11.0.0.1')).toBe('11.0.0.0/24');
		expect(networkOf('192.169.0.1')).toBe('192.169.0.0/24');
	});
	it('puts two hosts of one /24 together and different /24s apart', () => {
		expect(networkOf('198.51.100.1')).toBe(networkOf('198.51.100.254'));
		expect(networkOf('198.51.100.1')).not.toBe(networkOf('198.51.101.1'));
	});
});
