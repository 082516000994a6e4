import * as v from 'valibot';
import { CreateTrainSessionSchema, JoinCodeSchema, TrainReceiptSchema, UpdateTrainSessionSchema } from '../../../src/lib/protocol/training.js';
import { trainEscrowAccount } from '../../ledger/account-ids.js';
import { balanceOf } from '../../ledger/transfer.js';
import { settleReceipt } from '../../training/train-payments.js';
import { createTrainSession, sessionByCode, updateTrainSession } from '../../training/train-sessions.js';
import { HttpError } from '../http-error.js';
import { defineRoute } from '../route.js';

export const createTrainSessionRoute = defineRoute({
	method: 'POST',
	path: '/train-sessions',
	signed: true,
	body: 'json',
	schema: CreateTrainSessionSchema,
	async handle({ ctx, key, body, now }) {
		return { status: 201, json: await createTrainSession(ctx.db, key as string, body, now) };
	}
});

export const getTrainSessionRoute = defineRoute({
	method: 'GET',
	path: '/train-sessions/:code',
	signed: false,
	body: 'none',
	async handle({ ctx, params }) {
		const code = v.safeParse(JoinCodeSchema, params.code);
		if (!code.success) throw new HttpError(400, 'bad_request', 'a join code is six letters and digits');
		return { json: await sessionByCode(ctx.db, code.output) };
	}
});

export const updateTrainSessionRoute = defineRoute({
	method: 'POST',
	path: '/train-sessions/:id',
	signed: true,
	body: 'json',
	schema: UpdateTrainSessionSchema,
	async handle({ ctx, key, params, body, now }) {
		return { json: await updateTrainSession(ctx.db, key as string, params.id ?? '', body, now) };
	}
});

export const trainReceiptRoute = defineRoute({
	method: 'POST',
	path: '/train-sessions/:id/receipts',
	signed: true,
	body: 'json',
	schema: TrainReceiptSchema,
	async handle({ ctx, key, params, body, now }) {
		const id = params.id ?? '';
		const out = await settleReceipt(ctx.db, key as string, id, body, now, { warmupStreak: ctx.config.warmupStreak });
		return { json: { ...out, escrowMicro: await balanceOf(ctx.db, trainEscrowAccount(id)) } };
	}
});
