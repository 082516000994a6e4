import { describe, expect, it } from 'vitest';
import { independentKeys, Presence } from './presence.js';

describe('presence', () => {
	it('lists keys seen within the window for a kernel; heartbeats keep them', () => {
		const p = new Presence();
		p.claimed('a', ['mandelbrot'], '', 1_000);
		p.claimed('b', ['mc-pi'], '', 1_000);
		expect(p.online('mandelbrot', 2_000, 5_000)).toEqual([{ key: 'a', network: '' }]);
		expect(p.online('mandelbrot', 7_000, 5_000)).toEqual([]);
		p.beat('a', '', 6_500);
		expect(p.online('mandelbrot', 7_000, 5_000)).toEqual([{ key: 'a', network: '' }]);
		// A heartbeat from a key that never claimed names no kernel: it is not listed.
		p.beat('c', '', 7_000);
		expect(p.online('mandelbrot', 7_000, 5_000).map((o) => o.key)).toEqual(['a']);
	});

	it('is bounded: the least recently seen key goes first', () => {
		const p = new Presence(3);
		for (const k of ['a', 'b', 'c']) p.claimed(k, ['k'], '', 1);
		p.claimed('a', ['k'], '', 2);
		p.claimed('d', ['k'], '', 3);
		expect(p.online('k', 3, 10).map((o) => o.key).sort()).toEqual(['a', 'c', 'd']);
	});

	it('counts keys on one known network once, keys on unknown networks each', () => {
		expect(independentKeys([])).toBe(0);
		expect(independentKeys([{ key: 'a', network: '' }, { key: 'b', network: '' }])).toBe(2);
		expect(independentKeys([{ key: 'a', network: 'n1' }, { key: 'b', network: 'n1' }, { key: 'c', network: 'n2' }])).toBe(2);
	});

	it('keeps the keys waiting for work for a window, most recent first, never the asker itself', () => {
		const p = new Presence(3);
		p.waited('a', 'n1', 1_000);
		p.waited('b', '', 2_000);
		p.waited('c', 'n2', 3_000);
		expect(p.waiting('x', 3_000, 5_000)).toEqual({ keys: ['c', 'b', 'a'], networks: ['n2', '', 'n1'] });
		expect(p.waiting('b', 3_000, 5_000).keys).toEqual(['c', 'a']);
		// Fed keys stop waiting; old ones age out; a window of 0 weighs nobody.
		p.fed('c');
		expect(p.waiting('x', 6_500, 5_000).keys).toEqual(['b']);
		expect(p.waiting('x', 6_500, 0).keys).toEqual([]);
		// Bounded like the rest: the oldest goes first.
		for (const k of ['d', 'e', 'f']) p.waited(k, '', 7_000);
		expect(p.waiting('x', 7_000, 5_000).keys).toEqual(['f', 'e', 'd']);
	});

	it('counts the keys seen within PRESENCE_ONLINE_MS', () => {
		const p = new Presence();
		p.claimed('a', ['k'], '', 0);
		p.claimed('b', ['k'], '', 20_000);
		p.beat('a', '', 25_000);
		p.claimed('c', ['k'], '', 40_000);
		expect(p.onlineCount(40_000)).toBe(3);
		expect(p.onlineCount(52_000)).toBe(2);
		expect(p.onlineCount(80_000)).toBe(0);
	});
});

