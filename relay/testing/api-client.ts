import { createHash } from 'node:crypto';
import { RECEIPT_HEADER } from '../../src/lib/protocol/auth.js';
import type { Lease } from '../../src/lib/protocol/leases.js';
import { API_PREFIX } from '../../src/lib/protocol/version.js';
import { encodeReceiptHeader } from '../../src/lib/verify/receipt.js';
import type { NodeSigner } from './node-signer.js';

export interface ApiResponse<T = unknown> {
	status: number;
	body: T;
}

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

	async get<T = unknown>(path: string): Promise<ApiResponse<T>> {
		const res = await fetch(this.baseUrl + API_PREFIX + path);
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
		const res = await fetch(this.baseUrl + full, { method: 'POST', body: new Uint8Array(body), headers: { ...headers, ...signed } });
		const text = await res.text();
		return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
	}

	/** Uploads result bytes for a lease with a receipt signed by this client's key. */
	async submit<T = unknown>(lease: Lease, bytes: Uint8Array, receiptOverride: Partial<{ sha256: string; taskId: string }> = {}): Promise<ApiResponse<T>> {
		if (!this.signer) throw new Error('unsigned client');
		const receipt = this.signer.receipt({
			v: 1,
			taskId: receiptOverride.taskId ?? lease.taskId,
			leaseId: lease.leaseId,
			kernel: lease.kernel,
			kernelVersion: lease.kernelVersion,
			sha256: receiptOverride.sha256 ?? createHash('sha256').update(bytes).digest('hex')
		});
		return this.send<T>(`/results/${lease.leaseId}`, bytes, {
			'content-type': 'application/octet-stream',
			[RECEIPT_HEADER]: encodeReceiptHeader(receipt)
		});
	}
}
