import { createHash, randomBytes } from 'node:crypto';
import { REVEAL_HEADERS } from '../../src/lib/protocol/verification.js';
import { resultCommitment } from '../../src/lib/verify/commitment.js';
import { RECEIPT_HEADER } from '../../src/lib/protocol/auth.js';
import type { ClaimRequest, ClaimResponse, Commitment, CommitOutcome, Lease } from '../../src/lib/protocol/leases.js';
import { API_PREFIX } from '../../src/lib/protocol/version.js';
import { encodeReceiptHeader } from '../../src/lib/verify/receipt.js';
import type { NodeSigner } from './node-signer.js';

export interface ApiResponse<T = unknown> {
	status: number;
	body: T;
}

export type CommitResult = ApiResponse<ClaimResponse> & { ok: boolean; outcome: CommitOutcome | undefined; revealOpen: boolean };

/** A thin HTTP client for the relay's real API, used by relay tests and the relay bench. */
export class ApiClient {
	constructor(
		readonly baseUrl: string,
		readonly signer: NodeSigner | null = null
	) {}

	get key(): string {
		if (!this.signer) throw new Error('unsigned client');
		return this.signer.publicKeyHex;
	}

	/** Salts of the commitments this client made, by lease id, kept until the reveal. */
	private readonly salts = new Map<string, string>();
	/** Extra headers on every request (simulations set X-Forwarded-For). */
	headers: Record<string, string> = {};

	async get<T = unknown>(path: string): Promise<ApiResponse<T>> {
		const res = await fetch(this.baseUrl + API_PREFIX + path, { headers: this.headers });
		return { status: res.status, body: (await res.json()) as T };
	}

	/** POSTs JSON (signed when the client has a signer). */
	async post<T = unknown>(path: string, json: unknown, extraHeaders: Record<string, string> = {}): Promise<ApiResponse<T>> {
		const body = new TextEncoder().encode(JSON.stringify(json));
		return this.send<T>(path, body, { 'content-type': 'application/json', ...extraHeaders });
	}

	async send<T = unknown>(path: string, body: Uint8Array, headers: Record<string, string>): Promise<ApiResponse<T>> {
		const full = API_PREFIX + path;
		const signed = this.signer ? this.signer.headers(this.baseUrl, 'POST', full, body) : {};
		const res = await fetch(this.baseUrl + full, { method: 'POST', body: new Uint8Array(body), headers: { ...this.headers, ...headers, ...signed } });
		const text = await res.text();
		return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
	}

	/** The commitment to these bytes for this lease, with a salt made once per lease and kept for the reveal. */
	commitmentFor(lease: Lease, bytes: Uint8Array, opts: { sha256?: string; merkleRoot?: string | null } = {}): Commitment {
		const salt = this.salts.get(lease.leaseId) ?? randomBytes(16).toString('hex');
		this.salts.set(lease.leaseId, salt);
		const sha256 = opts.sha256 ?? createHash('sha256').update(bytes).digest('hex');
		return { leaseId: lease.leaseId, commitment: resultCommitment({ leaseId: lease.leaseId, sha256, merkleRoot: opts.merkleRoot ?? null, salt }) };
	}

	/** POST /leases: commit to finished results and lease up to `maxTasks` more. */
	claim(req: Pick<ClaimRequest, 'maxTasks' | 'kernels'> & Partial<ClaimRequest>): Promise<ApiResponse<ClaimResponse>> {
		return this.post<ClaimResponse>('/leases', { backend: 'cpu', commitments: [], ...req });
	}

	/**
	 * Commits to result bytes for a lease through a claim that leases nothing; send it again to ask
	 * whether reveals are open. `ok` is the commitment's own outcome, `revealOpen` whether the
	 * response lists the lease under `reveal`.
	 */
	async commit(lease: Lease, bytes: Uint8Array, opts: { sha256?: string; merkleRoot?: string | null } = {}): Promise<CommitResult> {
		const res = await this.claim({ maxTasks: 0, kernels: [lease.kernel], commitments: [this.commitmentFor(lease, bytes, opts)] });
		const outcome = res.status === 200 ? res.body.commitments.find((c) => c.leaseId === lease.leaseId) : undefined;
		return { ...res, ok: outcome?.ok === true, outcome, revealOpen: res.status === 200 && res.body.reveal.includes(lease.leaseId) };
	}

	/** Reveals result bytes committed to earlier, with a receipt signed by this client's key. */
	async reveal<T = unknown>(
		lease: Lease,
		bytes: Uint8Array,
		receiptOverride: Partial<{ sha256: string; taskId: string }> = {},
		opts: { merkleRoot?: string | null; salt?: string; finalProof?: string[] } = {}
	): Promise<ApiResponse<T>> {
		if (!this.signer) throw new Error('unsigned client');
		const receipt = this.signer.receipt({
			v: 1,
			taskId: receiptOverride.taskId ?? lease.taskId,
			leaseId: lease.leaseId,
			kernel: lease.kernel,
			kernelVersion: lease.kernelVersion,
			sha256: receiptOverride.sha256 ?? createHash('sha256').update(bytes).digest('hex')
		});
		const salt = opts.salt ?? this.salts.get(lease.leaseId) ?? '0'.repeat(32);
		return this.send<T>(`/results/${lease.leaseId}`, bytes, {
			'content-type': 'application/octet-stream',
			[RECEIPT_HEADER]: encodeReceiptHeader(receipt),
			[REVEAL_HEADERS.salt]: salt,
			...(opts.merkleRoot ? { [REVEAL_HEADERS.merkleRoot]: opts.merkleRoot } : {}),
			...(opts.finalProof ? { [REVEAL_HEADERS.finalProof]: opts.finalProof.join(',') } : {})
		});
	}

	/**
	 * Commits, then reveals: enough for a task whose other replicas have already committed (or
	 * a single task). A failed commit is returned as is.
	 */
	async submit<T = unknown>(lease: Lease, bytes: Uint8Array, receiptOverride: Partial<{ sha256: string; taskId: string }> = {}): Promise<ApiResponse<T>> {
		const committed = await this.commit(lease, bytes);
		if (!committed.ok) return committed as unknown as ApiResponse<T>;
		return this.reveal<T>(lease, bytes, receiptOverride);
	}
}

/**
 * How a worker that runs on its own settles a task: commit, ask again every `pollMs` until the
 * other replicas have committed (at most `waitMs`), then reveal. Answers 425 if reveals never open.
 */
export async function commitAndReveal<T = unknown>(client: ApiClient, lease: Lease, bytes: Uint8Array, opts: { pollMs?: number; waitMs?: number; merkleRoot?: string | null } = {}): Promise<ApiResponse<T>> {
	const deadline = Date.now() + (opts.waitMs ?? Math.max(0, lease.expiresAt - Date.now()));
	let c = await client.commit(lease, bytes, { merkleRoot: opts.merkleRoot ?? null });
	while (c.ok && !c.revealOpen && Date.now() < deadline) {
		await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
		c = await client.commit(lease, bytes, { merkleRoot: opts.merkleRoot ?? null });
	}
	if (!c.ok) return c as unknown as ApiResponse<T>;
	if (!c.revealOpen) return { status: 425, body: { error: { code: 'reveal_not_open', message: 'the other replicas never committed' } } as T };
	return client.reveal<T>(lease, bytes, {}, { merkleRoot: opts.merkleRoot ?? null });
}

/** Commits every replica first, then reveals them in order: how replicated tasks are settled. */
export async function submitReplicas<T = unknown>(entries: readonly [ApiClient, Lease, Uint8Array][]): Promise<ApiResponse<T>[]> {
	for (const [client, lease, bytes] of entries) {
		const c = await client.commit(lease, bytes);
		if (!c.ok) throw new Error(`commit failed: ${c.status} ${JSON.stringify(c.body)}`);
	}
	const out: ApiResponse<T>[] = [];
	for (const [client, lease, bytes] of entries) out.push(await client.reveal<T>(lease, bytes));
	return out;
}
