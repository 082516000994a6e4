// Typed access to the relay's HTTP API (same origin). Unsigned GETs, signed POSTs; every
// response body is validated with the shared protocol schemas before anyone sees it.
// Signed requests carry the relay's clock (GET /info gives it): the relay refuses timestamps
// from before its own start or more than SIGNATURE_SKEW_MS_MAX away from its clock.
import { decode } from '@msgpack/msgpack';
import * as v from 'valibot';
import { MailSchema, type Mail } from '$lib/protocol/mesh-mailbox';
import { REVEAL_HEADERS, TrustedKeysSchema } from '$lib/protocol/verification';
import { DisputePollResponseSchema, DisputeViewSchema, type DisputeAnswer, type RefereeAnswer } from '$lib/protocol/disputes';
import { CreateTrainSessionSchema, ReceiptResultSchema, TrainSessionSchema, type TrainReceipt } from '$lib/protocol/training';
import {
	AccountSchema,
	API_PREFIX,
	ClaimResponseSchema,
	ContributionSchema,
	ERROR_CODES,
	ErrorBodySchema,
	EstimateResponseSchema,
	GrantResponseSchema,
	HeartbeatResponseSchema,
	HoldingsSchema,
	InfoSchema,
	JobActivitySchema,
	JobDetailSchema,
	JobSummarySchema,
	LEDGER_PAGE_MAX,
	LedgerPageSchema,
	RECEIPT_HEADER,
	SubmitResponseSchema,
	TrustSchema,
	type ClaimRequest,
	type CreateJobRequest,
	type ErrorCode,
	type RedemptionRequest,
	type StakeRequest,
	type UnstakeRequest
} from '$lib/protocol';
import { signRequest } from '$lib/verify/request-signature';

/** Network errors are retried this many times, with exponential backoff from RETRY_BASE_MS. */
export const RETRIES_MAX = 3;
export const RETRY_BASE_MS = 250;
/** Longest response body read as an error message when it is not the relay's JSON error. */
const ERROR_TEXT_CHARS_MAX = 200;

/** What went wrong: the relay's error code, or `network` / `bad_response` for the client's own. */
export type RelayErrorCode = ErrorCode | 'network' | 'bad_response' | 'http';

export class RelayError extends Error {
	readonly status: number;
	readonly code: RelayErrorCode;
	readonly details: unknown;
	constructor(status: number, code: RelayErrorCode, message: string, details?: unknown) {
		super(message);
		this.name = 'RelayError';
		this.status = status;
		this.code = code;
		this.details = details;
	}
}

export function isRelayError(err: unknown, code?: RelayErrorCode): err is RelayError {
	return err instanceof RelayError && (code === undefined || err.code === code);
}

/** The key pair that signs writes. */
export interface Signer {
	publicKeyHex: string;
	secretKey: Uint8Array;
}

export interface RelayClientOptions {
	/** Origin of the relay, `location.origin` by default. */
	origin?: string;
	signer?: Signer | null;
	fetch?: typeof fetch;
}

const JSON_HEADERS = { 'content-type': 'application/json' } as const;
const MailboxAnswerSchema = v.object({ id: v.string() });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RelayClient {
	readonly origin: string;
	signer: Signer | null;
	/** Relay clock minus local clock, in ms; refreshed from GET /info. */
	clockOffsetMs = 0;
	private readonly fetchImpl: typeof fetch;

	constructor(options: RelayClientOptions = {}) {
		this.origin = options.origin ?? location.origin;
		this.signer = options.signer ?? null;
		this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
	}

	/** The relay's clock, as best we know it. */
	now(): number {
		return Math.round(Date.now() + this.clockOffsetMs);
	}

	// ---- reads -------------------------------------------------------------------------

	/** GET /info; also sets the clock offset (halfway through the round trip). */
	async info() {
		const sentAt = Date.now();
		const info = await this.getJson('/info', InfoSchema);
		const receivedAt = Date.now();
		this.clockOffsetMs = info.now - (sentAt + receivedAt) / 2;
		return info;
	}

	account(key: string) {
		return this.getJson(`/accounts/${encodeURIComponent(key)}`, AccountSchema);
	}

	/** The key's reputation, per-device figures and the last `hours` in hourly buckets. */
	contribution(key: string, hours: number) {
		return this.getJson(`/accounts/${encodeURIComponent(key)}/contribution?hours=${hours}`, ContributionSchema);
	}

	/** What the key holds: balance, stake, unstaking (with release times), locked for redemption. */
	holdings(key: string) {
		return this.getJson(`/accounts/${encodeURIComponent(key)}/holdings`, HoldingsSchema);
	}

	/** One page of the key's ledger entries, newest first; pass the last page's `nextBefore` to go back. */
	entries(key: string, before?: number | null, limit: number = LEDGER_PAGE_MAX) {
		const q = new URLSearchParams({ limit: String(limit) });
		if (before !== undefined && before !== null) q.set('before', String(before));
		return this.getJson(`/accounts/${encodeURIComponent(key)}/entries?${q}`, LedgerPageSchema);
	}

	/** The key's reputation, spot-check probability and trust events. */
	trust(key: string) {
		return this.getJson(`/accounts/${encodeURIComponent(key)}/trust`, TrustSchema);
	}

	/** The training session a join code names (so a peer can find its host). */
	trainSession(code: string) {
		return this.getJson(`/train-sessions/${encodeURIComponent(code)}`, TrainSessionSchema);
	}

	async listJobs(requester: string) {
		const body = await this.getJson(`/jobs?requester=${encodeURIComponent(requester)}`, v.object({ jobs: v.array(JobSummarySchema) }));
		return body.jobs;
	}

	job(id: string) {
		return this.getJson(`/jobs/${encodeURIComponent(id)}`, JobDetailSchema);
	}

	/** Who works on a job now and what its open tasks wait for. */
	jobActivity(id: string) {
		return this.getJson(`/jobs/${encodeURIComponent(id)}/activity`, JobActivitySchema);
	}

	/** The accepted bytes of one task; a RelayError 404 until it is accepted. */
	async taskResult(jobId: string, idx: number, signal?: AbortSignal): Promise<Uint8Array> {
		const res = await this.send(`/jobs/${encodeURIComponent(jobId)}/tasks/${idx}/result`, { method: 'GET', signal });
		return new Uint8Array(await res.arrayBuffer());
	}

	/** Where GET /jobs/:id/events streams from (for EventSource). */
	eventsUrl(jobId: string): string {
		return `${this.origin}${API_PREFIX}/jobs/${encodeURIComponent(jobId)}/events`;
	}

	/** POST /jobs/estimate is unsigned: it changes nothing. */
	estimate(kernel: string, spec: unknown, signal?: AbortSignal) {
		return this.postJson('/jobs/estimate', { kernel, spec }, EstimateResponseSchema, { signed: false, signal });
	}

	// ---- signed writes -----------------------------------------------------------------

	createTrainSession(request: v.InferInput<typeof CreateTrainSessionSchema>) {
		return this.postJson('/train-sessions', request, TrainSessionSchema);
	}

	/** The host moves its session to a new mesh id (after a reload) or ends it. */
	updateTrainSession(id: string, change: { hostPeerId?: string; end?: boolean }) {
		return this.postJson(`/train-sessions/${encodeURIComponent(id)}`, change, TrainSessionSchema);
	}

	/** The host's receipt for one round of a funded session: the relay pays the accepted contributions. */
	trainReceipt(sessionId: string, receipt: TrainReceipt) {
		return this.postJson(`/train-sessions/${encodeURIComponent(sessionId)}/receipts`, receipt, ReceiptResultSchema);
	}

	grantDemo() {
		return this.postJson('/grants/demo', {}, GrantResponseSchema);
	}

	// ---- mesh mailboxes (peers without a direct WebRTC path) --------------------------

	claimMailbox(id: string) {
		return this.postJson(`/mesh/mailboxes/${encodeURIComponent(id)}`, {}, MailboxAnswerSchema);
	}

	releaseMailbox(id: string) {
		return this.postJson(`/mesh/mailboxes/${encodeURIComponent(id)}/release`, {}, MailboxAnswerSchema);
	}

	/** Queues one message (opaque bytes) from our mailbox `from` to `to`. */
	postMail(to: string, from: string, body: Uint8Array, signal?: AbortSignal) {
		return this.request(`/mesh/mailboxes/${encodeURIComponent(to)}/from/${encodeURIComponent(from)}`, v.object({ waiting: v.number() }), {
			method: 'POST',
			body,
			headers: { 'content-type': 'application/octet-stream' },
			signed: true,
			signal
		});
	}

	/** Our mailbox's waiting messages; the relay holds the request up to `waitMs` when there are none. */
	async takeMail(id: string, waitMs: number, signal?: AbortSignal): Promise<Mail[]> {
		const body = new TextEncoder().encode(JSON.stringify({ waitMs }));
		const res = await this.send(`/mesh/mailboxes/${encodeURIComponent(id)}/take`, { method: 'POST', body, headers: JSON_HEADERS, signed: true, signal });
		const parsed = v.safeParse(v.array(MailSchema), decode(new Uint8Array(await res.arrayBuffer())));
		if (!parsed.success) throw new RelayError(res.status, 'bad_response', 'the relay answered a mailbox take with something other than mail');
		return parsed.output;
	}


	/** Moves credits from the balance into the stake; answers with the new holdings. */
	stake(request: StakeRequest) {
		return this.postJson('/stakes', request, HoldingsSchema);
	}

	/** Starts withdrawing stake: it returns to the balance after the relay's unstake delay. */
	unstake(request: UnstakeRequest) {
		return this.postJson('/unstakes', request, HoldingsSchema);
	}

	/** Records a cash-out request; the credits stay locked as `redeeming`. */
	redeem(request: RedemptionRequest) {
		return this.postJson('/redemptions', request, HoldingsSchema);
	}

	createJob(request: CreateJobRequest) {
		return this.postJson('/jobs', request, JobSummarySchema);
	}

	cancelJob(id: string) {
		return this.postJson(`/jobs/${encodeURIComponent(id)}/cancel`, {}, JobSummarySchema);
	}

	/** Commits finished results, leases new tasks and learns which commitments may be revealed. */
	claim(request: ClaimRequest, signal?: AbortSignal) {
		return this.postJson('/leases', request, ClaimResponseSchema, { signal });
	}

	heartbeat(leaseId: string) {
		return this.postJson(`/leases/${encodeURIComponent(leaseId)}/heartbeat`, {}, HeartbeatResponseSchema);
	}

	/**
	 * Reveals the raw result bytes with their signed receipt (already encoded) and the committed
	 * salt; a bisect result also carries its trace root and the proof of its final leaf.
	 */
	submitResult(leaseId: string, bytes: Uint8Array, receiptHeader: string, salt: string, bisect?: { merkleRoot: string; finalProof: string[] }) {
		const headers: Record<string, string> = { 'content-type': 'application/octet-stream', [RECEIPT_HEADER]: receiptHeader, [REVEAL_HEADERS.salt]: salt };
		if (bisect) {
			headers[REVEAL_HEADERS.merkleRoot] = bisect.merkleRoot;
			headers[REVEAL_HEADERS.finalProof] = bisect.finalProof.join(',');
		}
		return this.request(`/results/${encodeURIComponent(leaseId)}`, SubmitResponseSchema, { method: 'POST', body: bytes, headers, signed: true });
	}

	/** Operator-trusted referees (public). */
	trustedKeys() {
		return this.getJson('/trusted-keys', TrustedKeysSchema);
	}

	/** This key's dispute questions and, for a trusted referee, the steps it is to recompute. */
	pollDisputes() {
		return this.postJson('/disputes/poll', {}, DisputePollResponseSchema);
	}

	/** One side's answer to a dispute round: a state of its trace with the proof to its root. */
	answerDispute(id: string, answer: DisputeAnswer) {
		return this.postJson(`/disputes/${encodeURIComponent(id)}/answer`, answer, DisputeViewSchema);
	}

	/** A trusted referee's recomputed step. */
	refereeDispute(id: string, answer: RefereeAnswer) {
		return this.postJson(`/disputes/${encodeURIComponent(id)}/referee`, answer, DisputeViewSchema);
	}

	// ---- plumbing ----------------------------------------------------------------------

	private getJson<S extends v.GenericSchema>(path: string, schema: S) {
		return this.request(path, schema, { method: 'GET' });
	}

	private postJson<S extends v.GenericSchema>(
		path: string,
		body: unknown,
		schema: S,
		options: { signed?: boolean; signal?: AbortSignal } = {}
	) {
		return this.request(path, schema, {
			method: 'POST',
			body: new TextEncoder().encode(JSON.stringify(body)),
			headers: JSON_HEADERS,
			signed: options.signed ?? true,
			signal: options.signal
		});
	}

	private async request<S extends v.GenericSchema>(
		path: string,
		schema: S,
		init: { method: 'GET' | 'POST'; body?: Uint8Array; headers?: Record<string, string>; signed?: boolean; signal?: AbortSignal }
	): Promise<v.InferOutput<S>> {
		const res = await this.send(path, init);
		let json: unknown;
		try {
			json = await res.json();
		} catch {
			throw new RelayError(res.status, 'bad_response', `${init.method} ${path}: the relay did not answer with JSON`);
		}
		const parsed = v.safeParse(schema, json);
		if (!parsed.success) {
			throw new RelayError(res.status, 'bad_response', `${init.method} ${path}: unexpected response shape`, parsed.issues);
		}
		return parsed.output;
	}

	/**
	 * Sends one request: retries network failures (up to RETRIES_MAX, exponential backoff),
	 * signs each attempt afresh (new nonce, current relay clock), and on a `stale_signature`
	 * refreshes the clock offset and tries once more. Non-2xx answers throw a RelayError.
	 */
	private async send(
		path: string,
		init: { method: 'GET' | 'POST'; body?: Uint8Array; headers?: Record<string, string>; signed?: boolean; signal?: AbortSignal },
		staleRetried = false
	): Promise<Response> {
		const fullPath = `${API_PREFIX}${path}`;
		let res: Response | null = null;
		for (let attempt = 0; ; attempt++) {
			const headers: Record<string, string> = { ...init.headers };
			if (init.signed) {
				if (!this.signer) throw new RelayError(0, 'unauthenticated', 'no identity loaded yet');
				Object.assign(
					headers,
					await signRequest({
						secretKey: this.signer.secretKey,
						publicKeyHex: this.signer.publicKeyHex,
						origin: this.origin,
						method: init.method,
						path: fullPath,
						body: init.body ?? new Uint8Array(0),
						now: this.now()
					})
				);
			}
			try {
				res = await this.fetchImpl(`${this.origin}${fullPath}`, {
					method: init.method,
					headers,
					body: init.body as BodyInit | undefined,
					signal: init.signal,
					cache: 'no-store'
				});
				break;
			} catch (err) {
				if (init.signal?.aborted) throw err;
				if (attempt >= RETRIES_MAX) {
					throw new RelayError(0, 'network', `${init.method} ${fullPath}: ${err instanceof Error ? err.message : String(err)}`);
				}
				await sleep(RETRY_BASE_MS * 2 ** attempt);
			}
		}
		if (res.ok) return res;
		const error = await readError(res);
		if (error.code === 'stale_signature' && init.signed && !staleRetried) {
			await this.info();
			return this.send(path, init, true);
		}
		throw error;
	}
}

async function readError(res: Response): Promise<RelayError> {
	const text = await res.text().catch(() => '');
	try {
		const parsed = v.safeParse(ErrorBodySchema, JSON.parse(text));
		if (parsed.success) {
			const { code, message, details } = parsed.output.error;
			return new RelayError(res.status, code, message, details);
		}
		// A code this client does not know yet: keep the message, call it plain HTTP.
		const loose = v.safeParse(v.object({ error: v.object({ code: v.string(), message: v.string() }) }), JSON.parse(text));
		if (loose.success) {
			const code = (ERROR_CODES as readonly string[]).includes(loose.output.error.code) ? (loose.output.error.code as ErrorCode) : 'http';
			return new RelayError(res.status, code, loose.output.error.message);
		}
	} catch {
		// not JSON
	}
	return new RelayError(res.status, 'http', `HTTP ${res.status}${text ? `: ${text.slice(0, ERROR_TEXT_CHARS_MAX)}` : ''}`);
}

/** A readable one-line message for any error a relay call can throw. */
export function describeError(err: unknown): string {
	if (err instanceof RelayError) return err.message;
	if (err instanceof Error) return err.message;
	return String(err);
}
