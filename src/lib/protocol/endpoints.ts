// Every relay HTTP endpoint, once: method, path, signed or not, body, request and response
// schemas. The relay defines each route for one of these (relay/api/route.ts) and the client
// calls them by name (src/lib/relay-api/relay-client.ts); a test checks each has exactly one route.
import { JobEvidenceSchema } from './evidence.js';
import * as v from 'valibot';
import { AccountSchema, ContributionSchema, GrantResponseSchema, InfoSchema, MintRequestSchema } from './accounts.js';
import { DisputeAnswerSchema, DisputePollResponseSchema, DisputeViewSchema, RefereeAnswerSchema } from './disputes.js';
import { BytesSchema, EmptyRequestSchema, JobListSchema, MailboxAnswerSchema, MintResponseSchema, PostMailResponseSchema } from './endpoints-schemas.js';
import type { Endpoint } from './endpoints-shape.js';
import { HealthSchema, ReconcileRequestSchema } from './health.js';
import { CreateJobRequestSchema, EstimateRequestSchema, EstimateResponseSchema, JobActivitySchema, JobDetailSchema, JobEventSchema, JobSummarySchema } from './jobs.js';
import { ClaimRequestSchema, ClaimResponseSchema, HeartbeatResponseSchema, SubmitResponseSchema } from './leases.js';
import { LedgerPageSchema } from './ledger.js';
import { RESULT_BYTES_MAX } from './limits.js';
import { MAILBOX_MESSAGE_BYTES_MAX, MailSchema, TakeMailSchema } from './mesh-mailbox.js';
import { HoldingsSchema, RedemptionRequestSchema, StakeRequestSchema, UnstakeRequestSchema } from './stakes.js';
import { CreateTrainSessionSchema, ReceiptResultSchema, TrainReceiptSchema, TrainSessionSchema, UpdateTrainSessionSchema } from './training.js';
import { TrustSchema } from './trust.js';
import { TrustedKeyRequestSchema, TrustedKeysSchema } from './verification.js';

export const ENDPOINTS = {
	// ---- the relay -----------------------------------------------------------------
	/** What a client needs before its first signed request, the relay's clock among it. */
	info: { method: 'GET', path: '/info', signed: false, body: 'none', answer: 'json', response: InfoSchema },
	/** Liveness and the latest reconciliation of the books (503 when it found an invariant broken). */
	health: { method: 'GET', path: '/health', signed: false, body: 'none', answer: 'json', response: HealthSchema },
	/** The operator asks for a reconciliation now. */
	reconcile: { method: 'POST', path: '/health/reconcile', signed: true, body: 'json', request: ReconcileRequestSchema, answer: 'json', response: HealthSchema },

	// ---- accounts (public reads) ----------------------------------------------------
	account: { method: 'GET', path: '/accounts/:key', signed: false, body: 'none', answer: 'json', response: AccountSchema },
	/** Query `hours` (CONTRIBUTION_HOURS_MIN…MAX). */
	contribution: { method: 'GET', path: '/accounts/:key/contribution', signed: false, body: 'none', answer: 'json', response: ContributionSchema },
	holdings: { method: 'GET', path: '/accounts/:key/holdings', signed: false, body: 'none', answer: 'json', response: HoldingsSchema },
	/** Query `before` (the last page's nextBefore) and `limit` (at most LEDGER_PAGE_MAX). */
	entries: { method: 'GET', path: '/accounts/:key/entries', signed: false, body: 'none', answer: 'json', response: LedgerPageSchema },
	trust: { method: 'GET', path: '/accounts/:key/trust', signed: false, body: 'none', answer: 'json', response: TrustSchema },

	// ---- money ----------------------------------------------------------------------
	/** Starter credits, once per key; 201. Its own request bucket per address. */
	demoGrant: { method: 'POST', path: '/grants/demo', signed: true, limit: 'grant', body: 'json', request: EmptyRequestSchema, answer: 'json', response: GrantResponseSchema },
	stake: { method: 'POST', path: '/stakes', signed: true, body: 'json', request: StakeRequestSchema, answer: 'json', response: HoldingsSchema },
	unstake: { method: 'POST', path: '/unstakes', signed: true, body: 'json', request: UnstakeRequestSchema, answer: 'json', response: HoldingsSchema },
	redeem: { method: 'POST', path: '/redemptions', signed: true, body: 'json', request: RedemptionRequestSchema, answer: 'json', response: HoldingsSchema },
	/** The operator's key only. */
	mint: { method: 'POST', path: '/mint', signed: true, body: 'json', request: MintRequestSchema, answer: 'json', response: MintResponseSchema },

	// ---- jobs -----------------------------------------------------------------------
	/** Unsigned: it changes nothing. */
	estimateJob: { method: 'POST', path: '/jobs/estimate', signed: false, body: 'json', request: EstimateRequestSchema, answer: 'json', response: EstimateResponseSchema },
	/** 201 when created, 200 when `clientRef` named an existing job. */
	createJob: { method: 'POST', path: '/jobs', signed: true, body: 'json', request: CreateJobRequestSchema, answer: 'json', response: JobSummarySchema },
	/** Query `requester` (a public key). */
	listJobs: { method: 'GET', path: '/jobs', signed: false, body: 'none', answer: 'json', response: JobListSchema },
	/** Server-sent events: the job first, then task and job changes. */
	jobEvents: { method: 'GET', path: '/jobs/:id/events', signed: false, body: 'none', answer: 'events', response: JobEventSchema },
	/** The accepted bytes of one task (content-addressed, cacheable forever). */
	taskResult: { method: 'GET', path: '/jobs/:id/tasks/:idx/result', signed: false, body: 'none', answer: 'bytes', response: BytesSchema },
	jobActivity: { method: 'GET', path: '/jobs/:id/activity', signed: false, body: 'none', answer: 'json', response: JobActivitySchema },
	jobEvidence: { method: 'GET', path: '/jobs/:id/evidence', signed: false, body: 'none', answer: 'json', response: JobEvidenceSchema },
	getJob: { method: 'GET', path: '/jobs/:id', signed: false, body: 'none', answer: 'json', response: JobDetailSchema },
	cancelJob: { method: 'POST', path: '/jobs/:id/cancel', signed: true, body: 'json', request: EmptyRequestSchema, answer: 'json', response: JobSummarySchema },

	// ---- work -----------------------------------------------------------------------
	/** Commit finished results, lease new tasks, learn what to reveal and answer. */
	claim: { method: 'POST', path: '/leases', signed: true, body: 'json', request: ClaimRequestSchema, answer: 'json', response: ClaimResponseSchema },
	heartbeat: { method: 'POST', path: '/leases/:id/heartbeat', signed: true, body: 'json', request: EmptyRequestSchema, answer: 'json', response: HeartbeatResponseSchema },
	/** The raw result bytes, with the receipt and reveal headers (auth.ts, verification.ts). */
	submitResult: { method: 'POST', path: '/results/:leaseId', signed: true, body: 'bytes', bodyBytesMax: RESULT_BYTES_MAX, answer: 'json', response: SubmitResponseSchema },

	// ---- trust and disputes ---------------------------------------------------------
	listTrustedKeys: { method: 'GET', path: '/trusted-keys', signed: false, body: 'none', answer: 'json', response: TrustedKeysSchema },
	/** The operator's key only. */
	setTrustedKey: { method: 'POST', path: '/trusted-keys', signed: true, body: 'json', request: TrustedKeyRequestSchema, answer: 'json', response: TrustedKeysSchema },
	pollDisputes: { method: 'POST', path: '/disputes/poll', signed: true, body: 'json', request: EmptyRequestSchema, answer: 'json', response: DisputePollResponseSchema },
	getDispute: { method: 'GET', path: '/disputes/:id', signed: false, body: 'none', answer: 'json', response: DisputeViewSchema },
	answerDispute: { method: 'POST', path: '/disputes/:id/answer', signed: true, body: 'json', request: DisputeAnswerSchema, answer: 'json', response: DisputeViewSchema },
	refereeDispute: { method: 'POST', path: '/disputes/:id/referee', signed: true, body: 'json', request: RefereeAnswerSchema, answer: 'json', response: DisputeViewSchema },

	// ---- training sessions ----------------------------------------------------------
	/** 201. */
	createTrainSession: { method: 'POST', path: '/train-sessions', signed: true, body: 'json', request: CreateTrainSessionSchema, answer: 'json', response: TrainSessionSchema },
	getTrainSession: { method: 'GET', path: '/train-sessions/:code', signed: false, body: 'none', answer: 'json', response: TrainSessionSchema },
	trainReceipt: { method: 'POST', path: '/train-sessions/:id/receipts', signed: true, body: 'json', request: TrainReceiptSchema, answer: 'json', response: ReceiptResultSchema },
	updateTrainSession: { method: 'POST', path: '/train-sessions/:id', signed: true, body: 'json', request: UpdateTrainSessionSchema, answer: 'json', response: TrainSessionSchema },

	// ---- mesh mailboxes (peers without a direct WebRTC path) ------------------------
	claimMailbox: { method: 'POST', path: '/mesh/mailboxes/:id', signed: true, body: 'json', request: EmptyRequestSchema, answer: 'json', response: MailboxAnswerSchema },
	releaseMailbox: { method: 'POST', path: '/mesh/mailboxes/:id/release', signed: true, body: 'json', request: EmptyRequestSchema, answer: 'json', response: MailboxAnswerSchema },
	/** A long poll; answers a msgpack array of { from, body }: binary bodies without base64. */
	takeMail: { method: 'POST', path: '/mesh/mailboxes/:id/take', signed: true, body: 'json', request: TakeMailSchema, answer: 'msgpack', response: v.array(MailSchema) },
	postMail: { method: 'POST', path: '/mesh/mailboxes/:to/from/:from', signed: true, body: 'bytes', bodyBytesMax: MAILBOX_MESSAGE_BYTES_MAX, answer: 'json', response: PostMailResponseSchema }
} as const satisfies Record<string, Endpoint>;

