import { describe, expect, it } from 'vitest';
import { formatCredits, parseCredits } from './money';

describe('money', () => {
	it('parses credits exactly into micro-credits', () => {
		expect(parseCredits('12.5')).toBe(12_500_000);
		expect(parseCredits('0.000001')).toBe(1);
		expect(parseCredits('3')).toBe(3_000_000);
		expect(parseCredits('1.')).toBe(1_000_000);
		expect(parseCredits('-1')).toBeNull();
		expect(parseCredits('1.0000001')).toBeNull();
		expect(parseCredits('abc')).toBeNull();
	});
	it('formats with sensible precision', () => {
		expect(formatCredits(0)).toBe('0.00');
		expect(formatCredits(12_500_000)).toBe('12.50');
		expect(formatCredits(1_234_567)).toBe('1.235');
		expect(formatCredits(1_234)).toBe('0.001234');
		expect(formatCredits(250_000_000)).toBe('250.00');
	});
});
