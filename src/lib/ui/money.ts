import { MICRO_PER_CREDIT } from '../protocol/limits.js';

/** Credits for display: at least 2 decimals, up to 6 when the amount needs them. */
export function formatCredits(micro: number): string {
	const credits = micro / MICRO_PER_CREDIT;
	const abs = Math.abs(credits);
	const decimals = abs === 0 || abs >= 100 ? 2 : abs >= 1 ? 3 : abs >= 0.01 ? 4 : 6;
	return credits.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: decimals });
}

/** Parses a credits amount typed by a person ("12.5") into micro-credits, or null. */
export function parseCredits(text: string): number | null {
	const t = text.trim();
	if (!/^\d{1,12}(\.\d{0,6})?$/.test(t)) return null;
	const [whole = '0', frac = ''] = t.split('.');
	return Number(whole) * MICRO_PER_CREDIT + Number(frac.padEnd(6, '0'));
}
