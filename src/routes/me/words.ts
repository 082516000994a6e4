// Plain-language figures for "My contribution": device specs, speed, how long ago.

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
export const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

/** The benchmark score: work units (what 1 µcr of task price pays for) per second. */
export function formatScore(score: number): string {
	return score > 0 ? `${compact.format(score)} units/s` : 'not measured';
}

/** navigator.deviceMemory is coarse and capped by the browser (8 in Chrome); 0 means it said nothing. */
export function formatMemory(gb: number): string {
	if (!(gb > 0)) return 'unknown';
	return gb >= 8 ? `${gb}+ GB` : `${gb} GB`;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function formatAgo(at: number, now: number): string {
	const s = Math.max(0, Math.round((now - at) / 1000));
	if (s < 60) return 'just now';
	const min = Math.floor(s / 60);
	if (min < 60) return `${min} min ago`;
	const h = Math.floor(min / 60);
	if (h < 48) return `${h} h ago`;
	return `${Math.floor(h / 24)} days ago`;
}

/** "Mon 13:00": the start of an hourly bucket, local time. */
export function formatHour(at: number): string {
	return new Date(at).toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
}
