import { describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import type { Endpoint } from '../../../src/lib/protocol/endpoints-shape.js';
import { ROUTES } from './index.js';

const TABLE = Object.entries(ENDPOINTS) as [string, Endpoint][];

describe('the endpoint table and the relay routes', () => {
	it('has exactly one route for every endpoint', () => {
		const missingOrDoubled = TABLE.map(([name, e]) => [name, ROUTES.filter((r) => r.endpoint === e).length] as const).filter(([, n]) => n !== 1);
		expect(missingOrDoubled).toEqual([]);
	});

	it('has every route defined for an endpoint of the table', () => {
		const endpoints = new Set<Endpoint>(TABLE.map(([, e]) => e));
		const strays = ROUTES.filter((r) => !endpoints.has(r.endpoint)).map((r) => `${r.endpoint.method} ${r.endpoint.path}`);
		expect(strays).toEqual([]);
		expect(ROUTES.length).toBe(TABLE.length);
	});

	it('names each method and path once', () => {
		const seen = new Map<string, string>();
		for (const [name, e] of TABLE) {
			const at = `${e.method} ${e.path}`;
			expect(seen.get(at), `${name} and ${seen.get(at)} share ${at}`).toBeUndefined();
			seen.set(at, name);
		}
	});

	it('signs every write but the estimate, and reads with GET only without a body', () => {
		for (const [name, e] of TABLE) {
			if (e.method === 'GET') expect([name, e.body, e.signed]).toEqual([name, 'none', false]);
			else if (name !== 'estimateJob') expect([name, e.signed]).toEqual([name, true]);
		}
	});
});
