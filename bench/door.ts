// `npm run bench -- door [--seconds N]`: the relay's front door (issue 14) against the real relay
// process. 1) A starter-grant farm: fresh keys from one address for N seconds (default 60; before
// the limits, 30,608 grants in 60 s). 2) What a refused request costs the relay against one whose
// signature it verified and one it served: relay CPU per request (from /proc), with a flood from
// one address refused by its bucket, signed requests from fresh addresses verified and then
// refused by the schema, and served claims. 3) An honest address's claim latency during the flood.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_PREFIX } from '../src/lib/protocol/version.js';
import { NodeSigner } from '../relay/testing/node-signer.js';
import { spawnRelay, type RelayProcess } from '../relay/testing/relay-process.js';
import { report } from './report.js';

const PARALLEL = 16;
const COST_REQUESTS = Number(process.env.BENCH_DOOR_REQUESTS ?? 6_000);
/** Linux clock ticks per second (USER_HZ), what /proc/<pid>/stat counts CPU time in. */
const TICKS_PER_S = 100;

function cpuMs(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
}

async function signedPost(relay: RelayProcess, signer: NodeSigner, path: string, json: string, address?: string): Promise<Response> {
	const body = new TextEncoder().encode(json);
	const headers = { 'content-type': 'application/json', ...(address ? { 'x-forwarded-for': address } : {}), ...signer.headers(relay.url, 'POST', API_PREFIX + path, body) };
	const res = await fetch(relay.url + API_PREFIX + path, { method: 'POST', body, headers });
	await res.arrayBuffer();
	return res;
}

/** Runs `count` requests (`make(i)`) PARALLEL at a time; returns statuses and relay CPU per request. */
async function batch(relay: RelayProcess, count: number, make: (i: number) => Promise<Response>) {
	const pid = relay.child.pid as number;
	const statuses = new Map<number, number>();
	let next = 0;
	const cpuBefore = cpuMs(pid);
	const started = performance.now();
	await Promise.all(
		Array.from({ length: PARALLEL }, async () => {
			while (next < count) {
				const res = await make(next++);
				statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
			}
		})
	);
	const wallMs = performance.now() - started;
	return { statuses: Object.fromEntries(statuses), cpuUsPerRequest: ((cpuMs(pid) - cpuBefore) * 1000) / count, wallMs };
}

async function grantFarm(seconds: number): Promise<void> {
	const dataDir = mkdtempSync(join(tmpdir(), 'mycelia-bench-door-'));
	const relay = await spawnRelay({ PORT: '0', DATA_DIR: dataDir, STATIC_DIR: '' });
	if (!relay) throw new Error('the relay did not start');
	try {
		const counts = { granted: 0, grantLimit: 0, rateLimited: 0, other: 0, requests: 0 };
		const deadline = Date.now() + seconds * 1000;
		await Promise.all(
			Array.from({ length: PARALLEL }, async () => {
				while (Date.now() < deadline) {
					const res = await signedPost(relay, new NodeSigner(), '/grants/demo', '{}');
					counts.requests++;
					if (res.status === 201) counts.granted++;
					else if (res.status === 429) counts[res.headers.get('retry-after') && Number(res.headers.get('retry-after')) > 60 ? 'grantLimit' : 'rateLimited']++;
					else counts.other++;
				}
			})
		);
		report('door', `grants won by a ${seconds} s farm of fresh keys from one address`, counts.granted, 'grants', { metric: 'before the limits (issue 14)', value: 30_608 });
		console.log(JSON.stringify({ bench: 'door', farm: counts }));
	} finally {
		await relay.stop();
		rmSync(dataDir, { recursive: true, force: true });
	}
}

async function costs(): Promise<void> {
	const dataDir = mkdtempSync(join(tmpdir(), 'mycelia-bench-door-'));
	// A low per-address write rate, so the flood below is refused throughout (the others each
	// come from a fresh address and never meet it).
	const relay = await spawnRelay({ PORT: '0', DATA_DIR: dataDir, STATIC_DIR: '', TRUST_PROXY: '1', RATE_WRITES_PER_MIN: '60' });
	if (!relay) throw new Error('the relay did not start');
	try {
		const claim = JSON.stringify({ maxTasks: 0, kernels: ['mandelbrot'], backend: 'cpu', commitments: [] });
		// Warm the relay's code paths first.
		await batch(relay, 500, (i) => signedPost(relay, new NodeSigner(), '/leases', claim, `10.1.${i >> 8}.${i & 255}`));

		// The floor: the cheapest request the relay serves (an unsigned read of its info).
		const floor = await batch(relay, COST_REQUESTS, async (i) => {
			const res = await fetch(`${relay.url}${API_PREFIX}/info`, { headers: { 'x-forwarded-for': `10.4.${i >> 8}.${i & 255}` } });
			await res.arrayBuffer();
			return res;
		});
		// Served: a claim that leases nothing (signature, schema, one database statement).
		const keys = Array.from({ length: 64 }, () => new NodeSigner());
		const served = await batch(relay, COST_REQUESTS, (i) => signedPost(relay, keys[i % keys.length] as NodeSigner, '/leases', claim, `10.2.${i >> 8}.${i & 255}`));
		// Verified: a valid signature over a body the schema refuses (no database).
		const verified = await batch(relay, COST_REQUESTS, (i) => signedPost(relay, keys[i % keys.length] as NodeSigner, '/leases', '[]', `10.3.${i >> 8}.${i & 255}`));
		// Refused: one address past its bucket (emptied first), a fresh key per request.
		const flooder = '203.0.113.66';
		await batch(relay, 100, () => signedPost(relay, new NodeSigner(), '/leases', claim, flooder));
		// Meanwhile an honest address claims; its latency is compared with the same claims unloaded.
		const honest = new NodeSigner();
		const latency = async (n: number, stop?: () => boolean) => {
			const ms: number[] = [];
			for (let i = 0; i < n && !stop?.(); i++) {
				const t = performance.now();
				await signedPost(relay, honest, '/leases', claim, '198.51.100.77');
				ms.push(performance.now() - t);
			}
			return ms.sort((a, b) => a - b);
		};
		let flooding = true;
		const refused = await batch(relay, COST_REQUESTS, () => signedPost(relay, new NodeSigner(), '/leases', claim, flooder));
		const [, during] = await Promise.all([
			batch(relay, COST_REQUESTS, () => signedPost(relay, new NodeSigner(), '/leases', claim, flooder)).finally(() => (flooding = false)),
			latency(100_000, () => !flooding)
		]);
		const quiet = await latency(200);
		const p50 = (xs: number[]) => xs[Math.floor(xs.length / 2)] ?? 0;
		report('door', 'relay CPU per request refused by its address bucket', refused.cpuUsPerRequest, 'µs', { metric: 'signature verified, then refused by the schema', value: verified.cpuUsPerRequest });
		report('door', 'relay CPU per request refused by its address bucket, against the floor', refused.cpuUsPerRequest, 'µs', { metric: 'GET /info served', value: floor.cpuUsPerRequest });
		report('door', 'relay CPU per served claim', served.cpuUsPerRequest, 'µs', { metric: 'refused by the address bucket', value: refused.cpuUsPerRequest });
		report('door', 'honest claim p50 latency during the flood', p50(during), 'ms', { metric: 'without the flood', value: p50(quiet) });
		console.log(JSON.stringify({ bench: 'door', refused: refused.statuses, verified: verified.statuses, served: served.statuses, honestDuringFlood: during.length }));
	} finally {
		await relay.stop();
		rmSync(dataDir, { recursive: true, force: true });
	}
}

export async function main(args: string[]): Promise<void> {
	const at = args.indexOf('--seconds');
	const seconds = at >= 0 ? Number(args[at + 1]) : 60;
	if (!(seconds > 0)) throw new Error('--seconds must be a positive number');
	await grantFarm(seconds);
	await costs();
}
