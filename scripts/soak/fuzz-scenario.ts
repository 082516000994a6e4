// The valid requests of a fuzz run: a setup that gives the relay something to protect (accounts,
// jobs, leases committed and open for reveal, stakes, a funded session, mailboxes), and a tail
// that checks the relay still works after the cases. Both are deterministic (keys from the seed,
// fixed refs, one request at a time), so a run with only them and a run with the cases between
// them must end with the same rows. The templates are the valid requests the cases mutate.
import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { KERNELS } from '../../src/lib/kernels/registry.js';
import { ClaimRequestSchema, type Lease } from '../../src/lib/protocol/leases.js';
import { CreateJobRequestSchema, EstimateRequestSchema } from '../../src/lib/protocol/jobs.js';
import { MintRequestSchema } from '../../src/lib/protocol/accounts.js';
import { RedemptionRequestSchema, StakeRequestSchema, UnstakeRequestSchema } from '../../src/lib/protocol/stakes.js';
import { TrustedKeyRequestSchema } from '../../src/lib/protocol/verification.js';
import { DisputeAnswerSchema, RefereeAnswerSchema } from '../../src/lib/protocol/disputes.js';
import { CreateTrainSessionSchema, TrainReceiptSchema, UpdateTrainSessionSchema, updateStatement, type TrainSession } from '../../src/lib/protocol/training.js';
import { TakeMailSchema } from '../../src/lib/protocol/mesh-mailbox.js';
import { RECEIPT_HEADER } from '../../src/lib/protocol/auth.js';
import { REVEAL_HEADERS } from '../../src/lib/protocol/verification.js';
import { encodeReceiptHeader } from '../../src/lib/verify/receipt.js';
import { resultCommitment } from '../../src/lib/verify/commitment.js';
import { ApiClient } from '../../relay/testing/api-client.js';
import { NodeSigner } from '../../relay/testing/node-signer.js';

const MANDELBROT = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 128, height: 128, maxIter: 64, tile: 64 };
const MC_PI = { seed: 7, chains: 2, steps: 8, samplesPerStep: 64 };
const EMPTY = v.strictObject({});
/** The whole job request, its spec checked by the kernel's own schema (the route does the same in two steps). */
const JOB_REQUEST = v.strictObject({ ...CreateJobRequestSchema.entries, spec: KERNELS.mandelbrot.specSchema });
const ESTIMATE_REQUEST = v.strictObject({ ...EstimateRequestSchema.entries, spec: KERNELS.mandelbrot.specSchema });
const DEVICE = { id: 'fuzz-device-01', label: 'fuzz laptop', cores: 4, memoryGb: 8, gpu: { vendor: 'google', architecture: 'swiftshader', maxBufferSize: 1 << 28, maxStorageBufferBindingSize: 1 << 27, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupsPerDimension: 65535 }, score: 5_000, kernels: [{ kernel: 'mandelbrot', cls: 0, backend: 'cpu' as const, speed: 5_000 }] };

/**
 * A valid request the cases mutate (never sent as it is: most would write). Path parameters are
 * filled in `params`; `schema` is what the body must satisfy.
 */
export interface Template {
	name: string;
	method: 'GET' | 'POST';
	/** Express-style path below /api/v1, e.g. `/leases/:id/heartbeat`. */
	path: string;
	params: Record<string, string>;
	query?: Record<string, string>;
	body: { kind: 'none' } | { kind: 'json'; value: unknown; schema: v.GenericSchema } | { kind: 'bytes'; bytes: Uint8Array; headers: Record<string, string> };
	/** Signed by this key (writes); null for unsigned routes. */
	signer: NodeSigner | null;
	/** Whether a well-formed id nobody has is refused on this route (a mailbox claim takes any new id). */
	unknownIdRefused: boolean;
	/** A results upload: the lease, its bytes and salt, so receipt cases can be built. */
	reveal?: { lease: Lease; bytes: Uint8Array; salt: string };
}

export interface Scenario {
	templates: Template[];
	/** Exact signed requests the setup sent, for replay cases. */
	sent: { path: string; body: Uint8Array; headers: Record<string, string> }[];
	/** Every valid request's path and status, in order: two runs must agree on it. */
	log: string[];
	keys: Record<'requester' | 'workerA' | 'workerB' | 'host' | 'owner' | 'operator', NodeSigner>;
}

export const signerFor = (seed: string, name: string) => new NodeSigner(createHash('sha256').update(`mycelia-fuzz:${seed}:${name}`).digest());

/** Private addresses are never grouped into one network, so the setup's keys may replicate each other's tasks. */
const LAN = (i: number) => ({ 'x-forwarded-for': `10.0.0.${i}` });

/** Valid requests retried on 429 (the cases may have spent a shared limit), so every run logs the same statuses. */
const RATE_LIMIT_RETRIES = 20;

async function must<T>(log: string[], what: string, send: () => Promise<{ status: number; body: T }>): Promise<T> {
	let r = await send();
	for (let i = 0; r.status === 429 && i < RATE_LIMIT_RETRIES; i++) {
		await new Promise((done) => setTimeout(done, 500 * (i + 1)));
		r = await send();
	}
	log.push(`${what} ${r.status}`);
	if (r.status >= 300) throw new Error(`fuzz: ${what} answered ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
	return r.body;
}

/** The setup: the same requests in the same order in every run of the same seed. */
export async function setUp(url: string, seed: string): Promise<Scenario> {
	const keys = {
		requester: signerFor(seed, 'requester'),
		workerA: signerFor(seed, 'worker-a'),
		workerB: signerFor(seed, 'worker-b'),
		host: signerFor(seed, 'host'),
		owner: signerFor(seed, 'owner'),
		operator: signerFor(seed, 'operator')
	};
	const client = (s: NodeSigner, lan: number) => Object.assign(new ApiClient(url, s), { headers: LAN(lan) });
	const [req, a, b, host, owner, op] = [client(keys.requester, 1), client(keys.workerA, 2), client(keys.workerB, 3), client(keys.host, 4), client(keys.owner, 5), client(keys.operator, 6)];
	const log: string[] = [];
	const sent: Scenario['sent'] = [];

	await must(log, 'grant requester', () => req.post('/grants/demo', {}));
	await must(log, 'grant host', () => host.post('/grants/demo', {}));
	const job = await must(log, 'job mandelbrot', () => req.post<{ id: string }>('/jobs', { kernel: 'mandelbrot', spec: MANDELBROT, budgetMicro: 5_000_000, clientRef: 'fuzz-job-mandelbrot' }));
	await must(log, 'job mc-pi', () => req.post('/jobs', { kernel: 'mc-pi', spec: MC_PI, budgetMicro: 5_000_000, clientRef: 'fuzz-job-mc-pi' }));
	// Starter credits cannot be staked or redeemed: the operator mints what the requester stakes.
	await must(log, 'mint for stakes', () => op.post('/mint', { to: keys.requester.publicKeyHex, amountMicro: 100_000, ref: 'fuzz-mint-stakes' }));
	await must(log, 'stake', () => req.post('/stakes', { amountMicro: 20_000, ref: 'fuzz-stake-1' }));
	await must(log, 'unstake', () => req.post('/unstakes', { amountMicro: 5_000, ref: 'fuzz-unstake-1' }));
	await must(log, 'redeem', () => req.post('/redemptions', { amountMicro: 1_000, destination: 'fuzz bank', ref: 'fuzz-redeem-1' }));
	await must(log, 'mint', () => op.post('/mint', { to: keys.owner.publicKeyHex, amountMicro: 1_000, ref: 'fuzz-mint-1' }));
	await must(log, 'trusted key', () => op.post('/trusted-keys', { key: keys.owner.publicKeyHex, trusted: false, note: 'fuzz' }));

	// Two keys lease the same mandelbrot task and both commit: its reveal is open, so a mutated
	// reveal is refused by the deepest check it reaches, not by an earlier one.
	const claim = (c: ApiClient) => must(log, 'claim', () => c.claim({ maxTasks: 4, kernels: ['mandelbrot'], device: DEVICE })).then((r) => r.leases.filter((l) => l.jobId === job.id));
	const [leasesA, leasesB] = [await claim(a), await claim(b)];
	const leaseA = leasesA[0];
	const leaseB = leasesB.find((l) => l.taskId === leaseA?.taskId);
	const heartbeatLease = leasesA[1];
	if (!leaseA || !leaseB || !heartbeatLease) throw new Error('fuzz setup: the two workers did not share a task');
	// The relay only compares hashes: any bytes of the right size will do, and a fixed salt keeps runs alike.
	const bytes = new Uint8Array(leaseA.resultBytes);
	bytes.set(createHash('sha256').update(leaseA.taskId).digest());
	const sha256 = createHash('sha256').update(bytes).digest('hex');
	const saltA = createHash('sha256').update(`mycelia-fuzz-salt:${seed}`).digest('hex').slice(0, 32);
	const commitA = { leaseId: leaseA.leaseId, commitment: resultCommitment({ leaseId: leaseA.leaseId, sha256, merkleRoot: null, salt: saltA }) };
	const revealed = await must(log, 'commit a', () => a.claim({ maxTasks: 0, kernels: ['mandelbrot'], commitments: [commitA] }));
	if (!revealed.commitments[0]?.ok) throw new Error('fuzz setup: commitment refused');
	const open = await must(log, 'commit b', () => b.claim({ maxTasks: 0, kernels: ['mandelbrot'], commitments: [b.commitmentFor(leaseB, bytes)] }));
	if (!open.reveal.includes(leaseB.leaseId)) throw new Error('fuzz setup: the reveal did not open');

	const classroom = await must(log, 'session classroom', () => host.post<TrainSession>('/train-sessions', { hostPeerId: 'fuzz-host-classroom', title: 'fuzz class', mode: 'classroom' }));
	const funded = await must(log, 'session funded', () => host.post<TrainSession>('/train-sessions', { hostPeerId: 'fuzz-host-funded', title: 'fuzz funded', mode: 'funded', budgetMicro: 100_000, pricePerKTokenMicro: 10 }));
	// A receipt names only participants: each carries the peer's own signed statement of its update.
	const update = (peer: NodeSigner, round: number) => {
		const digest = createHash('sha256').update(`mycelia-fuzz-delta:${seed}:${round}:${peer.publicKeyHex}`).digest('hex');
		return { sha256: digest, signature: peer.sign(new TextEncoder().encode(updateStatement(funded.id, round, digest))) };
	};
	const receipt = { round: 1, accepted: [{ worker: keys.workerA.publicKeyHex, tokens: 1_000, update: update(keys.workerA, 1) }], rejected: [] };
	await must(log, 'receipt', () => host.post(`/train-sessions/${funded.id}/receipts`, receipt));
	await must(log, 'mailbox owner', () => owner.post('/mesh/mailboxes/fuzz-box-owner', {}));
	await must(log, 'mailbox a', () => a.post('/mesh/mailboxes/fuzz-box-a', {}));

	// Replays: exact copies of requests the relay already accepted (it must refuse them now).
	for (const [c, path, body] of [
		[req, '/stakes', { amountMicro: 20_000, ref: 'fuzz-stake-1' }],
		[a, '/leases', { maxTasks: 0, kernels: ['mandelbrot'], backend: 'cpu' }]
	] as const) {
		const bytesOut = new TextEncoder().encode(JSON.stringify(body));
		const headers = { 'content-type': 'application/json', ...c.signer!.headers(url, 'POST', `/api/v1${path}`, bytesOut) };
		const r = await fetch(`${url}/api/v1${path}`, { method: 'POST', body: bytesOut, headers: { ...c.headers, ...headers } });
		await r.arrayBuffer();
		log.push(`replayable ${path} ${r.status}`);
		sent.push({ path, body: bytesOut, headers });
	}

	const receiptA = encodeReceiptHeader(keys.workerA.receipt({ v: 1, taskId: leaseA.taskId, leaseId: leaseA.leaseId, kernel: leaseA.kernel, kernelVersion: leaseA.kernelVersion, sha256 }));
	const pk = keys.requester.publicKeyHex;
	const json = (value: unknown, schema: v.GenericSchema) => ({ kind: 'json' as const, value, schema });
	const post = (name: string, path: string, params: Record<string, string>, body: Template['body'], signer: NodeSigner | null, extra: Partial<Template> = {}): Template => ({
		name,
		method: 'POST',
		path,
		params,
		body,
		signer,
		unknownIdRefused: true,
		...extra
	});
	const get = (path: string, params: Record<string, string> = {}, query?: Record<string, string>): Template => ({
		name: `GET ${path}`,
		method: 'GET',
		path,
		params,
		...(query ? { query } : {}),
		body: { kind: 'none' },
		signer: null,
		unknownIdRefused: false
	});
	const templates: Template[] = [
		get('/info'),
		get('/health'),
		get('/accounts/:key', { key: pk }),
		get('/accounts/:key/contribution', { key: keys.workerA.publicKeyHex }, { hours: '24' }),
		get('/accounts/:key/holdings', { key: pk }),
		get('/accounts/:key/entries', { key: pk }, { limit: '10' }),
		get('/accounts/:key/trust', { key: keys.workerA.publicKeyHex }),
		get('/jobs', {}, { requester: pk }),
		get('/jobs/:id', { id: job.id }),
		get('/jobs/:id/activity', { id: job.id }),
		get('/jobs/:id/evidence', { id: job.id }),
		get('/jobs/:id/tasks/:idx/result', { id: job.id, idx: '0' }),
		get('/trusted-keys'),
		get('/disputes/:id', { id: 'fuzz-dispute-none' }),
		get('/train-sessions/:code', { code: classroom.code }),
		post('POST /jobs/estimate', '/jobs/estimate', {}, json({ kernel: 'mandelbrot', spec: MANDELBROT }, ESTIMATE_REQUEST), null),
		post('POST /grants/demo', '/grants/demo', {}, json({}, EMPTY), signerFor(seed, 'grant-candidate')),
		post('POST /jobs', '/jobs', {}, json({ kernel: 'mandelbrot', spec: MANDELBROT, budgetMicro: 5_000_000, clientRef: 'fuzz-job-mandelbrot-2' }, JOB_REQUEST), keys.requester),
		post('POST /jobs/:id/cancel', '/jobs/:id/cancel', { id: job.id }, json({}, EMPTY), keys.requester),
		post('POST /stakes', '/stakes', {}, json({ amountMicro: 1_000, ref: 'fuzz-stake-2' }, StakeRequestSchema), keys.requester),
		post('POST /unstakes', '/unstakes', {}, json({ amountMicro: 1_000, ref: 'fuzz-unstake-2' }, UnstakeRequestSchema), keys.requester),
		post('POST /redemptions', '/redemptions', {}, json({ amountMicro: 1_000, destination: 'fuzz bank', ref: 'fuzz-redeem-2' }, RedemptionRequestSchema), keys.requester),
		post('POST /mint', '/mint', {}, json({ to: pk, amountMicro: 1_000, ref: 'fuzz-mint-2' }, MintRequestSchema), keys.operator),
		post('POST /trusted-keys', '/trusted-keys', {}, json({ key: keys.workerB.publicKeyHex, trusted: true, note: 'fuzz referee' }, TrustedKeyRequestSchema), keys.operator),
		post('POST /leases', '/leases', {}, json({ maxTasks: 1, kernels: ['mandelbrot', 'mc-pi'], backend: 'cpu', commitments: [commitA], offline: false, device: DEVICE }, ClaimRequestSchema), keys.workerA),
		post('POST /leases/:id/heartbeat', '/leases/:id/heartbeat', { id: heartbeatLease.leaseId }, json({}, EMPTY), keys.workerA),
		post('POST /results/:leaseId', '/results/:leaseId', { leaseId: leaseA.leaseId }, { kind: 'bytes', bytes, headers: { 'content-type': 'application/octet-stream', [RECEIPT_HEADER]: receiptA, [REVEAL_HEADERS.salt]: saltA } }, keys.workerA, { reveal: { lease: leaseA, bytes, salt: saltA } }),
		post('POST /disputes/poll', '/disputes/poll', {}, json({}, EMPTY), keys.workerA),
		post('POST /disputes/:id/answer', '/disputes/:id/answer', { id: 'fuzz-dispute-none' }, json({ index: 1, state: '00'.repeat(8), proof: ['0'.repeat(64)] }, DisputeAnswerSchema), keys.workerA),
		post('POST /disputes/:id/referee', '/disputes/:id/referee', { id: 'fuzz-dispute-none' }, json({ index: 1, state: '00'.repeat(8) }, RefereeAnswerSchema), keys.owner),
		post('POST /train-sessions', '/train-sessions', {}, json({ hostPeerId: 'fuzz-host-third', title: 'fuzz third', mode: 'funded', budgetMicro: 1_000, pricePerKTokenMicro: 1 }, CreateTrainSessionSchema), keys.host),
		post('POST /train-sessions/:id', '/train-sessions/:id', { id: classroom.id }, json({ hostPeerId: 'fuzz-host-moved', end: false }, UpdateTrainSessionSchema), keys.host),
		post('POST /train-sessions/:id/receipts', '/train-sessions/:id/receipts', { id: funded.id }, json({ round: 2, accepted: [{ worker: keys.workerB.publicKeyHex, tokens: 10, update: update(keys.workerB, 2) }], rejected: [{ worker: keys.workerA.publicKeyHex, update: update(keys.workerA, 2) }] }, TrainReceiptSchema), keys.host),
		post('POST /mesh/mailboxes/:id', '/mesh/mailboxes/:id', { id: 'fuzz-box-owner' }, json({}, EMPTY), keys.owner, { unknownIdRefused: false }),
		post('POST /mesh/mailboxes/:id/release', '/mesh/mailboxes/:id/release', { id: 'fuzz-box-owner' }, json({}, EMPTY), keys.owner, { unknownIdRefused: false }),
		post('POST /mesh/mailboxes/:id/take', '/mesh/mailboxes/:id/take', { id: 'fuzz-box-owner' }, json({ waitMs: 0 }, TakeMailSchema), keys.owner),
		post('POST /mesh/mailboxes/:to/from/:from', '/mesh/mailboxes/:to/from/:from', { to: 'fuzz-box-owner', from: 'fuzz-box-a' }, { kind: 'bytes', bytes: new Uint8Array(64).fill(7), headers: { 'content-type': 'application/octet-stream' } }, keys.workerA)
	];
	return { templates, sent, log, keys };
}

/** After the cases: the relay still settles, leases and answers, in the same way in every run. */
export async function tail(url: string, scenario: Scenario): Promise<string[]> {
	const { keys } = scenario;
	const log: string[] = [];
	const client = (s: NodeSigner, lan: number) => Object.assign(new ApiClient(url, s), { headers: LAN(lan) });
	const [req, b, owner] = [client(keys.requester, 1), client(keys.workerB, 3), client(keys.owner, 5)];
	await must(log, 'tail info', () => req.get('/info'));
	await must(log, 'tail job', () => req.post('/jobs', { kernel: 'mandelbrot', spec: { ...MANDELBROT, maxIter: 65 }, budgetMicro: 5_000_000, clientRef: 'fuzz-job-tail' }));
	await must(log, 'tail claim', () => b.claim({ maxTasks: 1, kernels: ['mandelbrot'] }));
	await must(log, 'tail stake', () => req.post('/stakes', { amountMicro: 1_000, ref: 'fuzz-stake-tail' }));
	await must(log, 'tail mailbox', () => owner.post('/mesh/mailboxes/fuzz-box-tail', {}));
	return log;
}
