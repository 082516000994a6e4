import { KERNELS } from '../../../src/lib/kernels/registry.js';
import { PREFETCH_TASKS_MAX } from '../../../src/lib/protocol/limits.js';
import { PROTOCOL_VERSION } from '../../../src/lib/protocol/version.js';
import type { Info } from '../../../src/lib/protocol/accounts.js';
import { shareOrigins } from '../../origins.js';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { defineRoute } from '../route.js';

export const infoRoute = defineRoute(ENDPOINTS.info, {
	async handle({ ctx, now, req }) {
		const info: Info = {
			protocol: PROTOCOL_VERSION,
			now,
			startedAt: ctx.startedAt,
			feeBps: ctx.config.feeBps,
			demoGrantMicro: ctx.config.demoGrantMicro,
			leaseMs: ctx.config.leaseMs,
			offlineLeaseMs: ctx.config.offlineLeaseMs,
			prefetchTasksMax: PREFETCH_TASKS_MAX,
			operatorKey: ctx.config.operatorKey,
			testHooks: ctx.config.testHooks,
			kernels: Object.values(KERNELS).map((k) => ({ id: k.id, version: k.version, verification: k.verification })),
			shareOrigins: shareOrigins(ctx.config.publicOrigin, ctx.config.host, req.socket.localPort ?? ctx.config.port)
		};
		return { json: info };
	}
});
