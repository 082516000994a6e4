// Training sessions through the real HTTP API: a host mints a join code, anyone can look it
// up, only the host can move or end it, and bad codes are refused with clear errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, type TrainSession } from '../../src/lib/protocol/training.js';
import type { Relay } from '../server.js';
import { ApiClient } from '../testing/api-client.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';
import { OPEN_SESSIONS_PER_HOST_MAX } from './train-sessions.js';

let relay: Relay;
beforeAll(async () => {
	relay = await startTestRelay();
});
afterAll(async () => {
	await relay?.close();
});

describe('training sessions', () => {
	it('a host gets a code, a peer finds the host with it, only the host moves or ends it', async () => {
		const host = new ApiClient(relay.url, new NodeSigner());
		const made = await host.post<TrainSession>('/train-sessions', { hostPeerId: 'host-peer-0001', title: 'Year 9 biology', mode: 'classroom' });
		expect(made.status).toBe(201);
		expect(made.body.code).toHaveLength(JOIN_CODE_LENGTH);
		for (const ch of made.body.code) expect(JOIN_CODE_ALPHABET).toContain(ch);
		const anyone = new ApiClient(relay.url, new NodeSigner());
		const found = await anyone.get<TrainSession>(`/train-sessions/${made.body.code.toLowerCase()}`);
		expect(found.status).toBe(200);
		expect(found.body).toMatchObject({ id: made.body.id, hostPeerId: 'host-peer-0001', title: 'Year 9 biology', state: 'open', host: host.key });

		const stranger = await anyone.post<{ error: { code: string } }>(`/train-sessions/${made.body.id}`, { end: true });
		expect(stranger.status).toBe(404);
		const moved = await host.post<TrainSession>(`/train-sessions/${made.body.id}`, { hostPeerId: 'host-peer-0002' });
		expect(moved.body.hostPeerId).toBe('host-peer-0002');
		const ended = await host.post<TrainSession>(`/train-sessions/${made.body.id}`, { end: true });
		expect(ended.body.state).toBe('ended');
		expect((await anyone.get<TrainSession>(`/train-sessions/${made.body.code}`)).body.state).toBe('ended');
		expect((await host.post(`/train-sessions/${made.body.id}`, { end: true })).status).toBe(404);
	});

	it('refuses malformed codes, unknown codes, bad bodies and too many open sessions', async () => {
		const host = new ApiClient(relay.url, new NodeSigner());
		expect((await host.get('/train-sessions/ABC')).status).toBe(400);
		expect((await host.get('/train-sessions/ABCDE0')).status).toBe(400); // 0 is not in the alphabet
		expect((await host.get('/train-sessions/ZZZZZZ')).status).toBe(404);
		expect((await host.post('/train-sessions', { hostPeerId: 'x', title: 't', mode: 'classroom' })).status).toBe(400);
		expect((await host.post('/train-sessions', { hostPeerId: 'host-peer-0003', title: '', mode: 'classroom' })).status).toBe(400);
		const funded = await host.post<{ error: { message: string } }>('/train-sessions', { hostPeerId: 'host-peer-0003', title: 'paid', mode: 'funded' });
		expect(funded.status).toBe(400);
		expect(funded.body.error.message).toMatch(/funded/);
		for (let i = 0; i < OPEN_SESSIONS_PER_HOST_MAX; i++) expect((await host.post('/train-sessions', { hostPeerId: `host-peer-10${i}0`, title: `s${i}`, mode: 'classroom' })).status).toBe(201);
		expect((await host.post('/train-sessions', { hostPeerId: 'host-peer-1999', title: 'one too many', mode: 'classroom' })).status).toBe(409);
	});
});
