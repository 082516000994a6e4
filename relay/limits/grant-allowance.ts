// Starter grants per address and in all, per period, counted in the database (a restart must
// not hand out a fresh allowance). Fixed periods (UTC multiples of the period since the epoch):
// a row per (scope, period), incremented only while under its cap, so concurrent grants on
// Postgres serialise on the row and never overshoot.
import { rateLimited } from '../domain-error.js';
import type { Sql } from '../store/db.js';
import type { RequestLimits } from './request-limits.js';

type GrantLimits = Pick<RequestLimits, 'grantsPerAddress' | 'grantsPerPeriod' | 'grantPeriodMs'>;

function describeDuration(ms: number): string {
	const minutes = Math.max(1, Math.ceil(ms / 60_000));
	if (minutes < 60) return `${minutes} min`;
	const hours = Math.floor(minutes / 60);
	return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

/** Counts one grant against the address and the relay, or refuses with 429 and when the period ends. */
export async function useGrantAllowance(tx: Sql, limits: GrantLimits, address: string, now: number): Promise<void> {
	const period = Math.floor(now / limits.grantPeriodMs) * limits.grantPeriodMs;
	const retryAfterMs = period + limits.grantPeriodMs - now;
	const per = describeDuration(limits.grantPeriodMs);
	const grants = (n: number) => `${n} starter grant${n === 1 ? '' : 's'}`;
	const again = describeDuration(retryAfterMs);
	await tx.query('DELETE FROM grant_counts WHERE period_start < $1', [period]);
	const scopes = [
		{
			scope: `address:${address}`,
			max: limits.grantsPerAddress,
			refusal: `your network (${address}) has already received ${grants(limits.grantsPerAddress)}, the most one address gets every ${per}; more are given in ${again}`
		},
		{
			scope: 'all',
			max: limits.grantsPerPeriod,
			refusal: `this relay has given all ${grants(limits.grantsPerPeriod)} it gives every ${per}; more are given in ${again}`
		}
	];
	for (const { scope, max, refusal } of scopes) {
		const counted =
			max > 0
				? await tx.query(
						`INSERT INTO grant_counts (scope, period_start, grants) VALUES ($1, $2, 1)
						ON CONFLICT (scope, period_start) DO UPDATE SET grants = grant_counts.grants + 1 WHERE grant_counts.grants < $3
						RETURNING grants`,
						[scope, period, max]
					)
				: [];
		if (counted.length === 0) throw rateLimited(refusal, retryAfterMs, 'grant_limit');
	}
}
