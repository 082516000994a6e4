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
	it('puts two hosts of one /24 together and different /24s apart', () => {
		expect(networkOf('198.51.100.1')).toBe(networkOf('198.51.100.254'));
		expect(networkOf('198.51.100.1')).not.toBe(networkOf('198.51.101.1'));
	});
});
