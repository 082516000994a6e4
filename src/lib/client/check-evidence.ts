// The requester's own check of a job's results: the relay says which tiles it accepted, and this
// checks, from the workers' signed receipts alone, that enough distinct keys signed exactly the
// accepted bytes, and (given the bytes) that they hash to what was signed. Nothing here trusts
// the relay's verdicts beyond using them to pick which receipts to look at.
import { hexToBytes } from '@noble/hashes/utils.js';
import type { JobEvidence, TaskEvidence } from '../protocol/evidence.js';
import { canonicalReceiptBytes } from '../verify/canonical.js';
import { verifyEd25519 } from '../verify/ed25519.js';
import { sha256Hex } from '../verify/sha256.js';

export interface TaskCheck {
	idx: number;
	ok: boolean;
	/** Distinct keys whose signed receipts name the accepted bytes. */
	agreeingKeys: string[];
	/** What is wrong, in words; empty when ok. */
	problems: string[];
}

export interface EvidenceCheck {
	ok: boolean;
	tasks: TaskCheck[];
	/** Every key that signed an accepted result, sorted. */
	keys: string[];
	/** The first few problems over all tasks, for a one-line summary. */
	problems: string[];
}

const PROBLEMS_SHOWN_MAX = 5;

function signatureValid(task: TaskEvidence, r: TaskEvidence['receipts'][number], kernel: string, kernelVersion: number): boolean {
	try {
		const message = canonicalReceiptBytes({ v: 1, taskId: task.id, leaseId: r.leaseId, kernel, kernelVersion, sha256: r.sha256, worker: r.worker });
		return verifyEd25519(hexToBytes(r.signature), message, hexToBytes(r.worker));
	} catch {
		return false;
	}
}

/** Checks one task; `bytes`, when given, are the accepted result as downloaded. */
export function checkTask(task: TaskEvidence, kernel: string, kernelVersion: number, bytes?: Uint8Array): TaskCheck {
	const problems: string[] = [];
	if (task.state !== 'accepted' || task.acceptedHash === null) {
		return { idx: task.idx, ok: false, agreeingKeys: [], problems: [`task ${task.idx} is ${task.state}, not accepted`] };
	}
	const accepted = task.acceptedHash;
	const agreeing = new Set<string>();
	for (const r of task.receipts) {
		if (r.sha256 !== accepted || r.verdict !== 'agreed') continue;
		if (signatureValid(task, r, kernel, kernelVersion)) agreeing.add(r.worker);
		else problems.push(`task ${task.idx}: the receipt of key ${r.worker.slice(0, 8)}… does not verify`);
	}
	const wanted = Math.max(1, task.replicasWanted);
	if (agreeing.size < wanted) problems.push(`task ${task.idx}: ${agreeing.size} key${agreeing.size === 1 ? '' : 's'} signed the accepted bytes, ${wanted} needed`);
	if (bytes && sha256Hex(bytes) !== accepted) problems.push(`task ${task.idx}: the downloaded bytes hash to ${sha256Hex(bytes).slice(0, 12)}…, the workers signed ${accepted.slice(0, 12)}…`);
	return { idx: task.idx, ok: problems.length === 0, agreeingKeys: [...agreeing].sort(), problems };
}

/**
 * Checks every task of a job. `expectedTasks` is how many tasks the job's spec splits into
 * (the requester splits it itself), so a relay cannot leave tasks out of the evidence.
 */
export function checkEvidence(evidence: JobEvidence, opts: { kernel: string; kernelVersion: number; expectedTasks: number; bytes?: ReadonlyMap<number, Uint8Array> }): EvidenceCheck {
	const problems: string[] = [];
	if (evidence.kernel !== opts.kernel || evidence.kernelVersion !== opts.kernelVersion) {
		problems.push(`the evidence is for ${evidence.kernel}@${evidence.kernelVersion}, the job is ${opts.kernel}@${opts.kernelVersion}`);
	}
	const idxs = new Set(evidence.tasks.map((t) => t.idx));
	if (evidence.tasks.length !== opts.expectedTasks || idxs.size !== opts.expectedTasks || [...idxs].some((i) => i < 0 || i >= opts.expectedTasks)) {
		problems.push(`the evidence lists ${evidence.tasks.length} tasks; the spec splits into ${opts.expectedTasks}`);
	}
	const tasks = evidence.tasks.map((t) => checkTask(t, opts.kernel, opts.kernelVersion, opts.bytes?.get(t.idx)));
	for (const t of tasks) problems.push(...t.problems);
	const keys = [...new Set(tasks.flatMap((t) => t.agreeingKeys))].sort();
	return { ok: problems.length === 0, tasks, keys, problems: problems.slice(0, PROBLEMS_SHOWN_MAX) };
}
