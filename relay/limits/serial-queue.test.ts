import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { SerialQueue } from './serial-queue.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('SerialQueue', () => {
	it('runs one task at a time, in order, failures included', async () => {
		const q = new SerialQueue(10, 'tasks');
		let running = 0;
		let most = 0;
		const order: number[] = [];
		const jobs = Array.from({ length: 6 }, (_, i) =>
			q.run(async () => {
				running++;
				most = Math.max(most, running);
				await tick();
				running--;
				order.push(i);
				if (i === 2) throw new Error('boom');
				return i;
			})
		);
		const settled = await Promise.allSettled(jobs);
		expect(most).toBe(1);
		expect(order).toEqual([0, 1, 2, 3, 4, 5]);
		expect(settled[2]?.status).toBe('rejected');
		expect(settled[5]).toEqual({ status: 'fulfilled', value: 5 });
	});

	it('refuses past its bound with a 429, and takes work again once it drains', async () => {
		const q = new SerialQueue(2, 'grants');
		const a = q.run(tick);
		const b = q.run(tick);
		const refused = q.run(tick);
		await expect(refused).rejects.toBeInstanceOf(DomainError);
		await expect(refused).rejects.toMatchObject({ code: 'rate_limited', retryAfterMs: 1_000 });
		await Promise.all([a, b]);
		await expect(q.run(async () => 'ok')).resolves.toBe('ok');
	});
});
