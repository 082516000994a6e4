import { TrustedKeyRequestSchema } from '../../../src/lib/protocol/verification.js';
import { listTrustedKeys, setTrusted } from '../../trust/trusted-keys.js';
import { HttpError } from '../http-error.js';
import { defineRoute } from '../route.js';

/** Who referees: public, so anyone can see which keys the operator vouches for. */
export const listTrustedKeysRoute = defineRoute({
	method: 'GET',
	path: '/trusted-keys',
	signed: false,
	body: 'none',
	async handle({ ctx }) {
		return { json: { keys: await listTrustedKeys(ctx.db) } };
	}
});

/** Only the operator's key may mark a key as a trusted, registered referee (or unmark it). */
export const setTrustedKeyRoute = defineRoute({
	method: 'POST',
	path: '/trusted-keys',
	signed: true,
	body: 'json',
	schema: TrustedKeyRequestSchema,
	async handle({ ctx, key, body, now }) {
		if (!ctx.config.operatorKey || key !== ctx.config.operatorKey) {
			throw new HttpError(403, 'forbidden', 'only the operator key may mark trusted referees');
		}
		await setTrusted(ctx.db, body.key, body.trusted, body.note, now);
		return { json: { keys: await listTrustedKeys(ctx.db) } };
	}
});
