// Relay mailboxes for mesh peers without a direct path (see relay/mesh/mailboxes.ts). All four
// routes are signed: the signing key owns the mailboxes it claims and can only send from them.
import { encode } from '@msgpack/msgpack';
import * as v from 'valibot';
import { MailboxIdSchema } from '../../../src/lib/protocol/mesh-mailbox.js';
import { DomainError } from '../../domain-error.js';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { defineRoute } from '../route.js';

function mailboxId(raw: string | undefined): string {
	const id = v.safeParse(MailboxIdSchema, raw);
	if (!id.success) throw new DomainError('bad_request', 'a mailbox id is 8 to 64 letters, digits, - or _');
	return id.output;
}

export const claimMailboxRoute = defineRoute(ENDPOINTS.claimMailbox, {
	async handle({ ctx, key, params }) {
		ctx.mailboxes.claim(mailboxId(params.id), key);
		return { json: { id: params.id } };
	}
});

export const releaseMailboxRoute = defineRoute(ENDPOINTS.releaseMailbox, {
	async handle({ ctx, key, params }) {
		ctx.mailboxes.release(mailboxId(params.id), key);
		return { json: { id: params.id } };
	}
});

export const postMailRoute = defineRoute(ENDPOINTS.postMail, {
	async handle({ ctx, key, params, raw }) {
		if (raw.byteLength === 0) throw new DomainError('bad_request', 'an empty message');
		return { json: { waiting: ctx.mailboxes.post(mailboxId(params.to), mailboxId(params.from), key, raw) } };
	}
});

/** Answers with a msgpack array of { from, body }: binary bodies without base64. */
export const takeMailRoute = defineRoute(ENDPOINTS.takeMail, {
	async handle({ ctx, key, params, body, res }) {
		// A client that gives up its poll ends the wait, so mail that arrives later stays queued
		// instead of going to a closed connection.
		const gone = new AbortController();
		const onClose = () => res.writableFinished || gone.abort();
		res.once('close', onClose);
		const mail = await ctx.mailboxes.take(mailboxId(params.id), key, body.waitMs, gone.signal);
		if (gone.signal.aborted) return;
		res.off('close', onClose);
		res.status(200).type('application/msgpack').send(Buffer.from(encode(mail)));
	}
});
