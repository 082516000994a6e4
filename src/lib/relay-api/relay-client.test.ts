import { describe, expect, it } from 'vitest';
import { AUTH_HEADERS } from '$lib/protocol';
import { RelayClient, RelayError } from './relay-client';

const ORIGIN = 'http://relay.test';
const KEY = 'ab'.repeat(32);
const signer = { publicKeyHex: KEY, secretKey: new Uint8Array(32).fill(7) };
const info = (now: number) => ({
	protocol: 1,
	now,
	startedAt: now - 1000,
	feeBps: 500,
	demoGrantMicro: 1,
	leaseMs: 60_000,
	offlineLeaseMs: 3_600_000,
	prefetchTasksMax: 16,
	operatorKey: null,
	testHooks: false,
	kernels: []
});
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

type Call = { url: string; init: RequestInit };
function fakeFetch(responses: ((call: Call) => Response | Promise<Response>)[]) {
	const calls: Call[] = [];
	const impl = (async (input: RequestInfo | URL, init?: RequestInit) => {
		const call = { url: String(input), init: init ?? {} };
		calls.push(call);
		const next = responses.shift();
		if (!next) throw new Error('no more responses');
		return next(call);
	}) as typeof fetch;
	return { impl, calls };
}

describe('RelayClient', () => {
	it('keeps the relay clock offset from /info and signs with it', async () => {
		const relayNow = Date.now() + 3_600_000;
		const { impl, calls } = fakeFetch([() => json(200, info(relayNow)), () => json(200, { key: KEY, grantedMicro: 1, balanceMicro: 1 })]);
		const client = new RelayClient({ origin: ORIGIN, signer, fetch: impl });
		await client.info();
		expect(Math.abs(client.now() - relayNow)).toBeLessThan(1_000);
		await client.grantDemo();
		const headers = calls[1]!.init.headers as Record<string, string>;
		expect(calls[1]!.url).toBe(`${ORIGIN}/api/v1/grants/demo`);
		expect(headers[AUTH_HEADERS.key]).toBe(KEY);
		expect(Math.abs(Number(headers[AUTH_HEADERS.timestamp]) - relayNow)).toBeLessThan(1_000);
	});

	it('turns relay errors into RelayError with status, code and details', async () => {
		const { impl } = fakeFetch([() => json(400, { error: { code: 'invalid_spec', message: 'bad width', details: [{ path: 'width', message: 'too big' }] } })]);
		const client = new RelayClient({ origin: ORIGIN, fetch: impl });
		const err = await client.estimate('mandelbrot', {}).catch((e: unknown) => e);
		expect(err).toBeInstanceOf(RelayError);
		expect(err).toMatchObject({ status: 400, code: 'invalid_spec', message: 'bad width', details: [{ path: 'width', message: 'too big' }] });
	});

	it('refuses a response of the wrong shape', async () => {
		const { impl } = fakeFetch([() => json(200, { nope: true })]);
		const client = new RelayClient({ origin: ORIGIN, fetch: impl });
		await expect(client.account(KEY)).rejects.toMatchObject({ code: 'bad_response' });
	});

	it('retries network failures at most 3 times, then reports them', async () => {
		const fail = () => {
			throw new TypeError('Failed to fetch');
		};
		const { impl, calls } = fakeFetch([fail, fail, fail, fail, fail]);
		const client = new RelayClient({ origin: ORIGIN, fetch: impl });
		await expect(client.info()).rejects.toMatchObject({ code: 'network', status: 0 });
		expect(calls.length).toBe(4);
	}, 10_000);

	it('recovers from one network failure', async () => {
		const { impl, calls } = fakeFetch([
			() => {
				throw new TypeError('Failed to fetch');
			},
			() => json(200, info(Date.now()))
		]);
		const client = new RelayClient({ origin: ORIGIN, fetch: impl });
		await expect(client.info()).resolves.toMatchObject({ protocol: 1 });
		expect(calls.length).toBe(2);
	});

	it('on stale_signature refreshes the clock and retries exactly once', async () => {
		const relayNow = Date.now() - 500_000;
		const stale = () => json(401, { error: { code: 'stale_signature', message: 'too old' } });
		const { impl, calls } = fakeFetch([stale, () => json(200, info(relayNow)), stale]);
		const client = new RelayClient({ origin: ORIGIN, signer, fetch: impl });
		await expect(client.cancelJob('j1')).rejects.toMatchObject({ code: 'stale_signature', status: 401 });
		expect(calls.map((c) => new URL(c.url).pathname)).toEqual(['/api/v1/jobs/j1/cancel', '/api/v1/info', '/api/v1/jobs/j1/cancel']);
		const retried = calls[2]!.init.headers as Record<string, string>;
		expect(Math.abs(Number(retried[AUTH_HEADERS.timestamp]) - relayNow)).toBeLessThan(1_000);
	});

	it('uploads result bytes as octet-stream with the receipt and salt headers', async () => {
		const { impl, calls } = fakeFetch([() => json(200, { taskId: 't', verdict: 'pending', paidMicro: 0 })]);
		const client = new RelayClient({ origin: ORIGIN, signer, fetch: impl });
		await client.submitResult('L1', new Uint8Array([1, 2, 3]), 'receipt', 'ab'.repeat(16));
		const headers = calls[0]!.init.headers as Record<string, string>;
		expect(headers['content-type']).toBe('application/octet-stream');
		expect(headers['x-mycelia-receipt']).toBe('receipt');
		expect(headers['x-mycelia-salt']).toBe('ab'.repeat(16));
		expect(calls[0]!.init.body).toEqual(new Uint8Array([1, 2, 3]));
	});
});
