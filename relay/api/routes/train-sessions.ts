import * as v from 'valibot';
import { JoinCodeSchema } from '../../../src/lib/protocol/training.js';
import { trainEscrowAccount } from '../../ledger/account-ids.js';
import { balanceOf } from '../../ledger/transfer.js';
import { settleReceipt } from '../../training/train-payments.js';
import { createTrainSession, sessionByCode, updateTrainSession } from '../../training/train-sessions.js';
import { DomainError } from '../../domain-error.js';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { defineRoute } from '../route.js';

export const createTrainSessionRoute = defineRoute(ENDPOINTS.createTrainSession, {
	async handle({ ctx, key, body, now }) {
		return { status: 201, json: await createTrainSession(ctx.db, key, body, now) };
	}
});

export const getTrainSessionRoute = defineRoute(ENDPOINTS.getTrainSession, {
	async handle({ ctx, params }) {
		const code = v.safeParse(JoinCodeSchema, params.code);
		if (!code.success) throw new DomainError('bad_request', 'a join code is six letters and digits');
		return { json: await sessionByCode(ctx.db, code.output) };
	}
});

export const updateTrainSessionRoute = defineRoute(ENDPOINTS.updateTrainSession, {
	async handle({ ctx, key, params, body, now }) {
		return { json: await updateTrainSession(ctx.db, key, params.id, body, now) };
	}
});

export const trainReceiptRoute = defineRoute(ENDPOINTS.trainReceipt, {
	async handle({ ctx, key, params, body, now }) {
		const id = params.id;
		const out = await settleReceipt(ctx.db, key, id, body, now, { warmupStreak: ctx.config.warmupStreak });
		return { json: { ...out, escrowMicro: await balanceOf(ctx.db, trainEscrowAccount(id)) } };
	}
});
