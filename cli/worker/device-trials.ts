// What the headless worker advertises with each claim, as the browser does (mesh/device-profile.ts):
// its speed on every kernel's every cost class, timed on its own compute threads with the
// kernels' benchmark tasks (mesh/kernel-trials.ts), so the relay fits its leases and the work it
// may hold to this machine instead of to a default.
import { hostname, platform, totalmem } from 'node:os';
import { createHash } from 'node:crypto';
import type { Device } from '../../src/lib/protocol/devices.js';
import { deviceScore, kernelSpeeds, runKernelTrials } from '../../src/lib/device/kernel-trials.js';
import type { Lease } from '../../src/lib/protocol/leases.js';
import type { ThreadPool } from './thread-pool.js';

const GIB = 2 ** 30;

/** Times the kernels on thread 0 of `pool` and describes this machine. */
export async function measureDevice(pool: ThreadPool, kernels: readonly string[], signal?: AbortSignal): Promise<Device> {
	const trials = await runKernelTrials(
		async (kernel, kernelVersion, params, _backend, s) => {
			const lease: Lease = { leaseId: 'trial', taskId: 'trial', jobId: 'trial', kernel, kernelVersion, params, resultBytes: 0, expiresAt: Number.MAX_SAFE_INTEGER };
			await pool.compute(0, lease, s ?? new AbortController().signal);
		},
		kernels,
		{ hasGpu: false, force: 'cpu', signal }
	);
	return {
		// Stable for this machine and key, not secret: tells the key's devices apart on /me.
		id: `node-${createHash('sha256').update(hostname()).digest('hex').slice(0, 16)}`,
		label: `Node ${process.versions.node} on ${platform()} (${pool.size} thread${pool.size === 1 ? '' : 's'})`.slice(0, 64),
		cores: Math.max(1, Math.min(1024, pool.size)),
		memoryGb: Math.min(4096, Math.round(totalmem() / GIB)),
		gpu: null,
		score: deviceScore(trials),
		kernels: kernelSpeeds(trials)
	};
}
