// The few request and response shapes that only the endpoint table needs (the rest live with
// their domain: jobs.ts, leases.ts, accounts.ts, …).
import * as v from 'valibot';
import { PublicKeyHexSchema } from './auth.js';
import { JobSummarySchema } from './jobs.js';

/** The body of a signed write that carries nothing but its signature: `{}`. */
export const EmptyRequestSchema = v.strictObject({});

/** POST /api/v1/mint. */
export const MintResponseSchema = v.object({ key: PublicKeyHexSchema, grantedMicro: v.number(), balanceMicro: v.number() });

/** GET /api/v1/jobs?requester=KEY: the key's latest jobs, newest first (at most JOB_LIST_MAX). */
export const JobListSchema = v.object({ jobs: v.array(JobSummarySchema) });

/** POST /api/v1/mesh/mailboxes/:id and …/release: which mailbox. */
export const MailboxAnswerSchema = v.object({ id: v.string() });

/** POST /api/v1/mesh/mailboxes/:to/from/:from: how many messages now wait in `to`. */
export const PostMailResponseSchema = v.object({ waiting: v.number() });

/** GET /api/v1/jobs/:id/tasks/:idx/result: the accepted bytes. */
export const BytesSchema = v.instance(Uint8Array);
