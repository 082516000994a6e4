import * as v from 'valibot';
import { PublicKeyHexSchema } from '../../../src/lib/protocol/auth.js';
import { LEDGER_PAGE_MAX } from '../../../src/lib/protocol/ledger.js';
import { entriesOf } from '../../ledger/entries.js';
import { holdingsOf } from '../../ledger/holdings.js';
import { trustOf } from '../../trust/trust-view.js';
import { badRequest } from '../../domain-error.js';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { defineRoute } from '../route.js';

function keyParam(params: Record<string, string>): string {
	const key = params.key;
	if (!v.is(PublicKeyHexSchema, key)) throw badRequest('account key must be a 32-byte hex public key');
	return key;
}

function intQuery(raw: unknown, name: string, min: number, max: number): number | null {
	if (raw === undefined) return null;
	const n = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
	if (!Number.isSafeInteger(n) || n < min || n > max) throw badRequest(`${name} must be an integer in [${min}, ${max}]`);
	return n;
}

export const holdingsRoute = defineRoute(ENDPOINTS.holdings, {
	async handle({ ctx, params }) {
		return { json: await holdingsOf(ctx.db, keyParam(params), ctx.config.unstakeDelayMs) };
	}
});

export const entriesRoute = defineRoute(ENDPOINTS.entries, {
	async handle({ ctx, params, req }) {
		const before = intQuery(req.query.before, 'before', 1, Number.MAX_SAFE_INTEGER);
		const limit = intQuery(req.query.limit, 'limit', 1, LEDGER_PAGE_MAX) ?? LEDGER_PAGE_MAX;
		return { json: await entriesOf(ctx.db, keyParam(params), before, limit) };
	}
});

export const trustRoute = defineRoute(ENDPOINTS.trust, {
	async handle({ ctx, params }) {
		return { json: await trustOf(ctx.db, keyParam(params), ctx.config.warmupStreak) };
	}
});
