// Typed access to the relay's HTTP API. Unsigned GETs, signed POSTs; every path, method and
// response schema comes from the endpoint table (src/lib/protocol/endpoints.ts), and every
// response body is validated with it before anyone sees it. Imports are relative so Node (the
// client API, the CLI, tests) can load this file as well as the browser.
// Signed requests carry the relay's clock (GET /info gives it): the relay refuses timestamps
// from before its own start or more than SIGNATURE_SKEW_MS_MAX away from its clock.
import { decode } from '@msgpack/msgpack';
import * as v from 'valibot';
import type { Mail } from '../protocol/mesh-mailbox.js';
import { REVEAL_HEADERS } from '../protocol/verification.js';
import type { DisputeAnswer, RefereeAnswer } from '../protocol/disputes.js';
import type { CreateTrainSessionSchema, TrainReceipt } from '../protocol/training.js';
import { RECEIPT_HEADER } from '../protocol/auth.js';
import { ERROR_CODES, ErrorBodySchema, type ErrorCode } from '../protocol/errors.js';
import { ENDPOINTS } from '../protocol/endpoints.js';
import { endpointPath, type Endpoint, type PathParamName, type PathParams, type RequestInputOf, type ResponseOf } from '../protocol/endpoints-shape.js';
import type { CreateJobRequest } from '../protocol/jobs.js';
import type { ClaimRequest } from '../protocol/leases.js';
import { LEDGER_PAGE_MAX } from '../protocol/ledger.js';
import type { RedemptionRequest, StakeRequest, UnstakeRequest } from '../protocol/stakes.js';
import { API_PREFIX } from '../protocol/version.js';
import { signRequest } from '../verify/request-signature.js';

/** Network errors are retried this many times, with exponential backoff from RETRY_BASE_MS. */
const RETRIES_MAX = 3;
const RETRY_BASE_MS = 250;
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
const BYTES_HEADERS = { 'content-type': 'application/octet-stream' } as const;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The body an endpoint takes: its request schema's input for JSON, bytes for uploads, none for reads. */
type BodyOption<E extends Endpoint> = E['body'] extends 'json' ? { body: RequestInputOf<E> } : E['body'] extends 'bytes' ? { body: Uint8Array } : { body?: never };
/** Path parameters, required only where the path has some. */
type ParamsOption<E extends Endpoint> = [PathParamName<E['path']>] extends [never] ? { params?: PathParams<E> } : { params: PathParams<E> };

/** One call of an endpoint of the table. */
export type CallOptions<E extends Endpoint> = ParamsOption<E> &
	BodyOption<E> & {
		query?: URLSearchParams;
		/** Extra request headers (an upload's receipt and reveal headers). */
		headers?: Record<string, string>;
		signal?: AbortSignal;
	};

interface SendInit {
	method: 'GET' | 'POST';
	body?: Uint8Array;
	headers?: Record<string, string>;
	signed: boolean;
	signal?: AbortSignal;
}

export class RelayClient {
	readonly origin: string;
	signer: Signer | null;
	/** Relay clock minus local clock, in ms; refreshed from GET /info. */
	clockOffsetMs = 0;
	private readonly fetchImpl: typeof fetch;

	constructor(options: RelayClientOptions = {}) {
		// `location` only in a page that gave no origin: Node has none.
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
		const info = await this.call(ENDPOINTS.info, {});
		const receivedAt = Date.now();
		this.clockOffsetMs = info.now - (sentAt + receivedAt) / 2;
		return info;
	}

	/** Liveness and the relay's latest reconciliation of the books (a 503 when it found them broken). */
	health() {
		return this.call(ENDPOINTS.health, {});
	}

	account(key: string) {
		return this.call(ENDPOINTS.account, { params: { key } });
	}

	/** The key's reputation, per-device figures and the last `hours` in hourly buckets. */
	contribution(key: string, hours: number) {
		return this.call(ENDPOINTS.contribution, { params: { key }, query: new URLSearchParams({ hours: String(hours) }) });
	}

	/** What the key holds: balance, stake, unstaking (with release times), locked for redemption. */
	holdings(key: string) {
		return this.call(ENDPOINTS.holdings, { params: { key } });
	}

	/** One page of the key's ledger entries, newest first; pass the last page's `nextBefore` to go back. */
	entries(key: string, before?: number | null, limit: number = LEDGER_PAGE_MAX) {
		const query = new URLSearchParams({ limit: String(limit) });
		if (before !== undefined && before !== null) query.set('before', String(before));
		return this.call(ENDPOINTS.entries, { params: { key }, query });
	}

	/** The key's reputation, spot-check probability and trust events. */
	trust(key: string) {
		return this.call(ENDPOINTS.trust, { params: { key } });
	}

	/** The training session a join code names (so a peer can find its host). */
	trainSession(code: string) {
		return this.call(ENDPOINTS.getTrainSession, { params: { code } });
	}

	async listJobs(requester: string) {
		const body = await this.call(ENDPOINTS.listJobs, { query: new URLSearchParams({ requester }) });
		return body.jobs;
	}

	job(id: string) {
		return this.call(ENDPOINTS.getJob, { params: { id } });
	}

	/** Every task's signed worker receipts, for the requester's own check (client/check-evidence.ts). */
	jobEvidence(id: string) {
		return this.call(ENDPOINTS.jobEvidence, { params: { id } });
	}

	/** Who works on a job now and what its open tasks wait for. */
	jobActivity(id: string) {
		return this.call(ENDPOINTS.jobActivity, { params: { id } });
	}

	/** The accepted bytes of one task; a RelayError 404 until it is accepted. */
	taskResult(jobId: string, idx: number, signal?: AbortSignal): Promise<Uint8Array> {
		return this.call(ENDPOINTS.taskResult, { params: { id: jobId, idx: String(idx) }, signal });
	}

	/** Where GET /jobs/:id/events streams from (for EventSource). */
	eventsUrl(jobId: string): string {
		return `${this.origin}${API_PREFIX}${endpointPath(ENDPOINTS.jobEvents, { id: jobId })}`;
	}

	/** POST /jobs/estimate is unsigned: it changes nothing. */
	estimate(kernel: string, spec: unknown, signal?: AbortSignal) {
		return this.call(ENDPOINTS.estimateJob, { body: { kernel, spec }, signal });
	}

	/** Operator-trusted referees (public). */
	trustedKeys() {
		return this.call(ENDPOINTS.listTrustedKeys, {});
	}

	/** Where a dispute stands (public). */
	dispute(id: string) {
		return this.call(ENDPOINTS.getDispute, { params: { id } });
	}

	// ---- signed writes -----------------------------------------------------------------

	createTrainSession(request: v.InferInput<typeof CreateTrainSessionSchema>) {
		return this.call(ENDPOINTS.createTrainSession, { body: request });
	}

	/** The host moves its session to a new mesh id (after a reload) or ends it. */
	updateTrainSession(id: string, change: { hostPeerId?: string; end?: boolean }) {
		return this.call(ENDPOINTS.updateTrainSession, { params: { id }, body: change });
	}

	/** The host's receipt for one round of a funded session: the relay pays the accepted contributions. */
	trainReceipt(sessionId: string, receipt: TrainReceipt) {
		return this.call(ENDPOINTS.trainReceipt, { params: { id: sessionId }, body: receipt });
	}

	grantDemo() {
		return this.call(ENDPOINTS.demoGrant, { body: {} });
	}

	// ---- mesh mailboxes (peers without a direct WebRTC path) --------------------------

	claimMailbox(id: string) {
		return this.call(ENDPOINTS.claimMailbox, { params: { id }, body: {} });
	}

	releaseMailbox(id: string) {
		return this.call(ENDPOINTS.releaseMailbox, { params: { id }, body: {} });
	}

	/** Queues one message (opaque bytes) from our mailbox `from` to `to`. */
	postMail(to: string, from: string, body: Uint8Array, signal?: AbortSignal) {
		return this.call(ENDPOINTS.postMail, { params: { to, from }, body, signal });
	}

	/** Our mailbox's waiting messages; the relay holds the request up to `waitMs` when there are none. */
	takeMail(id: string, waitMs: number, signal?: AbortSignal): Promise<Mail[]> {
		return this.call(ENDPOINTS.takeMail, { params: { id }, body: { waitMs }, signal });
	}

	/** Moves credits from the balance into the stake; answers with the new holdings. */
	stake(request: StakeRequest) {
		return this.call(ENDPOINTS.stake, { body: request });
	}

	/** Starts withdrawing stake: it returns to the balance after the relay's unstake delay. */
	unstake(request: UnstakeRequest) {
		return this.call(ENDPOINTS.unstake, { body: request });
	}

	/** Records a cash-out request; the credits stay locked as `redeeming`. */
	redeem(request: RedemptionRequest) {
		return this.call(ENDPOINTS.redeem, { body: request });
	}

	createJob(request: CreateJobRequest) {
		return this.call(ENDPOINTS.createJob, { body: request });
	}

	cancelJob(id: string) {
		return this.call(ENDPOINTS.cancelJob, { params: { id }, body: {} });
	}

	/** Commits finished results, leases new tasks and learns which commitments may be revealed. */
	claim(request: ClaimRequest, signal?: AbortSignal) {
		return this.call(ENDPOINTS.claim, { body: request, signal });
	}

	heartbeat(leaseId: string) {
		return this.call(ENDPOINTS.heartbeat, { params: { id: leaseId }, body: {} });
	}

	/**
	 * Reveals the raw result bytes with their signed receipt (already encoded) and the committed
	 * salt; a bisect result also carries its trace root and the proof of its final leaf.
	 */
	submitResult(leaseId: string, bytes: Uint8Array, receiptHeader: string, salt: string, bisect?: { merkleRoot: string; finalProof: string[] }) {
		const headers: Record<string, string> = { [RECEIPT_HEADER]: receiptHeader, [REVEAL_HEADERS.salt]: salt };
		if (bisect) {
			headers[REVEAL_HEADERS.merkleRoot] = bisect.merkleRoot;
			headers[REVEAL_HEADERS.finalProof] = bisect.finalProof.join(',');
		}
		return this.call(ENDPOINTS.submitResult, { params: { leaseId }, body: bytes, headers });
	}

	/** This key's dispute questions and, for a trusted referee, the steps it is to recompute. */
	pollDisputes() {
		return this.call(ENDPOINTS.pollDisputes, { body: {} });
	}

	/** One side's answer to a dispute round: a state of its trace with the proof to its root. */
	answerDispute(id: string, answer: DisputeAnswer) {
		return this.call(ENDPOINTS.answerDispute, { params: { id }, body: answer });
	}

	/** A trusted referee's recomputed step. */
	refereeDispute(id: string, answer: RefereeAnswer) {
		return this.call(ENDPOINTS.refereeDispute, { params: { id }, body: answer });
	}

	// ---- any endpoint --------------------------------------------------------------------

	/**
	 * Calls one endpoint of the table: signs it when the endpoint is signed, and answers with the
	 * response its schema validated (JSON, bytes or msgpack). Event streams are read with
	 * EventSource at eventsUrl instead.
	 */
	async call<E extends Endpoint>(endpoint: E, options: CallOptions<E>): Promise<ResponseOf<E>> {
		if (endpoint.answer === 'events') throw new Error(`${endpoint.method} ${endpoint.path} is an event stream; open it with EventSource`);
		const path = endpointPath(endpoint, (options.params ?? {}) as PathParams<E>, options.query);
		const body: Uint8Array | undefined =
			endpoint.body === 'json' ? new TextEncoder().encode(JSON.stringify(options.body)) : endpoint.body === 'bytes' ? (options.body as Uint8Array) : undefined;
		const contentType = endpoint.body === 'json' ? JSON_HEADERS : endpoint.body === 'bytes' ? BYTES_HEADERS : {};
		const init: SendInit = { method: endpoint.method, body, headers: { ...contentType, ...options.headers }, signed: endpoint.signed, signal: options.signal };
		const res = await this.send(path, init);
		let value: unknown;
		try {
			value = endpoint.answer === 'json' ? await res.json() : endpoint.answer === 'msgpack' ? decode(new Uint8Array(await res.arrayBuffer())) : new Uint8Array(await res.arrayBuffer());
		} catch {
			throw new RelayError(res.status, 'bad_response', `${init.method} ${path}: the relay did not answer with ${endpoint.answer === 'json' ? 'JSON' : endpoint.answer}`);
		}
		const parsed = v.safeParse(endpoint.response, value);
		if (!parsed.success) {
			throw new RelayError(res.status, 'bad_response', `${init.method} ${path}: unexpected response shape`, parsed.issues);
		}
		return parsed.output as ResponseOf<E>;
	}

	// ---- plumbing ----------------------------------------------------------------------

	/**
	 * Sends one request: retries network failures (up to RETRIES_MAX, exponential backoff),
	 * signs each attempt afresh (new nonce, current relay clock), and on a `stale_signature`
	 * refreshes the clock offset and tries once more. Non-2xx answers throw a RelayError.
	 */
	private async send(path: string, init: SendInit, staleRetried = false): Promise<Response> {
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
