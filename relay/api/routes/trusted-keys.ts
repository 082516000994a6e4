import { listTrustedKeys, setTrusted } from '../../trust/trusted-keys.js';
import { DomainError } from '../../domain-error.js';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { defineRoute } from '../route.js';

/** Who referees: public, so anyone can see which keys the operator vouches for. */
export const listTrustedKeysRoute = defineRoute(ENDPOINTS.listTrustedKeys, {
	async handle({ ctx }) {
		return { json: { keys: await listTrustedKeys(ctx.db) } };
	}
});

/** Only the operator's key may mark a key as a trusted, registered referee (or unmark it). */
export const setTrustedKeyRoute = defineRoute(ENDPOINTS.setTrustedKey, {
	async handle({ ctx, key, body, now }) {
		if (!ctx.config.operatorKey || key !== ctx.config.operatorKey) {
			throw new DomainError('forbidden', 'only the operator key may mark trusted referees');
		}
		await setTrusted(ctx.db, body.key, body.trusted, body.note, now);
		return { json: { keys: await listTrustedKeys(ctx.db) } };
	}
});
