// The browser's RelayClient, run in Node against a real relay: every call goes through the
// endpoint table, is signed with a Node key where the endpoint is signed, and is validated by
// the table's response schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../../src/lib/protocol/endpoints.js';
import { PROTOCOL_VERSION } from '../../src/lib/protocol/version.js';
import { RelayClient, RelayError } from '../../src/lib/relay-api/relay-client.js';
import type { Relay } from '../server.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';

const GRANT_MICRO = 50_000_000;
const SPEC = { centerRe: '-0.75', centerIm: '0', zoom: '1', width: 128, height: 64, maxIter: 100, tile: 64 };

let relay: Relay;
beforeAll(async () => {
	relay = await startTestRelay({ demoGrantMicro: GRANT_MICRO });
});
afterAll(async () => {
	await relay?.close();
});

const clientOf = (signer: NodeSigner | null = new NodeSigner()) => new RelayClient({ origin: relay.url, signer });
const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e instanceof RelayError ? { status: e.status, code: e.code } : e));

describe('RelayClient from Node', () => {
	it('reads the relay info and keeps its clock', async () => {
		const client = clientOf(null);
		const info = await client.info();
		expect(info.protocol).toBe(PROTOCOL_VERSION);
		expect(info.kernels.map((k) => k.id)).toContain('mandelbrot');
		expect(Math.abs(client.now() - Date.now())).toBeLessThan(1_000);
		expect((await client.call(ENDPOINTS.health, {})).relay.protocol).toBe(PROTOCOL_VERSION);
	});

	it('takes the starter grant once, signed with a Node key', async () => {
		const signer = new NodeSigner();
		const client = clientOf(signer);
		const grant = await client.grantDemo();
		expect(grant).toMatchObject({ key: signer.publicKeyHex, grantedMicro: GRANT_MICRO, starterMicro: GRANT_MICRO });
		expect((await client.account(signer.publicKeyHex)).balanceMicro).toBe(GRANT_MICRO);
		expect(await refusal(client.grantDemo())).toEqual({ status: 409, code: 'grant_used' });
	});

	it('creates a job for its estimate, reads it back, lists it and cancels it', async () => {
		const signer = new NodeSigner();
		const client = clientOf(signer);
		await client.grantDemo();
		const estimate = await client.estimate('mandelbrot', SPEC);
		expect(estimate.tasks).toBe(2);
		const job = await client.createJob({ kernel: 'mandelbrot', spec: SPEC, budgetMicro: estimate.estimateMicro, clientRef: 'relay-client-node-1' });
		expect(job).toMatchObject({ requester: signer.publicKeyHex, kernel: 'mandelbrot', state: 'running', tasks: 2, tasksDone: 0 });
		const detail = await client.job(job.id);
		expect(detail.job.id).toBe(job.id);
		expect(detail.tasks.map((t) => t.state)).toEqual(['open', 'open']);
		expect((await client.listJobs(signer.publicKeyHex)).map((j) => j.id)).toEqual([job.id]);
		expect(await refusal(client.taskResult(job.id, 0))).toEqual({ status: 404, code: 'not_found' });
		expect((await client.cancelJob(job.id)).state).toBe('cancelled');
		expect(await refusal(client.cancelJob(job.id))).toEqual({ status: 409, code: 'job_closed' });
	});

	it('hands on the relay refusals as RelayError with status and code', async () => {
		const client = clientOf();
		await client.grantDemo();
		expect(await refusal(client.createJob({ kernel: 'no-such-kernel', spec: {}, budgetMicro: 1, clientRef: 'relay-client-node-2' }))).toEqual({ status: 404, code: 'unknown_kernel' });
		expect(await refusal(client.job('no-such-job'))).toEqual({ status: 404, code: 'not_found' });
		expect(await refusal(clientOf(null).grantDemo())).toEqual({ status: 0, code: 'unauthenticated' });
	});

	it('passes bytes through relay mailboxes and reads the msgpack answer', async () => {
		const [a, b] = [clientOf(), clientOf()];
		expect(await a.claimMailbox('node-box-a')).toEqual({ id: 'node-box-a' });
		await b.claimMailbox('node-box-b');
		expect(await b.postMail('node-box-a', 'node-box-b', new Uint8Array([1, 2, 3]))).toEqual({ waiting: 1 });
		const mail = await a.takeMail('node-box-a', 0);
		expect(mail.map((m) => ({ from: m.from, body: [...m.body] }))).toEqual([{ from: 'node-box-b', body: [1, 2, 3] }]);
		expect(await a.releaseMailbox('node-box-a')).toEqual({ id: 'node-box-a' });
	});
});
