// One contributor in Node on the shared loop (src/lib/contributor): its own key, an ApiClient
// (optionally from a given address, with TRUST_PROXY on), the CPU twins, and a store that outlives
// the loop. Tests and the simulators build their devices with it.
import { REFEREE_STEPS } from '../../src/lib/kernels/compute-registry.js';
import type { Device } from '../../src/lib/protocol/devices.js';
import { ContributorLoop, type ContributorLoopOptions } from '../../src/lib/contributor/contributor-loop.js';
import { CPU_KERNELS, cpuCompute } from '../../src/lib/contributor/cpu-compute.js';
import { MemoryWorkStore } from '../../src/lib/contributor/memory-work-store.js';
import type { ContributorCompute } from '../../src/lib/contributor/ports.js';
import { ApiClient } from './api-client.js';
import { apiClientRelay, nodeReceiptSigner } from './contributor-relay.js';
import { NodeSigner } from './node-signer.js';

export interface NodeContributorOptions extends Partial<Omit<ContributorLoopOptions, 'relay' | 'signer' | 'compute'>> {
	url: string;
	signer?: NodeSigner;
	/** Sent as X-Forwarded-For: the device's public address, for relays that trust a proxy. */
	address?: string;
	/** What each claim says about the device (none by default). */
	device?: Device | null;
	compute?: ContributorCompute;
}

export interface NodeContributor {
	loop: ContributorLoop;
	client: ApiClient;
	signer: NodeSigner;
	store: MemoryWorkStore;
}

/** The CPU twins in this thread, advertising `device` with each claim. */
function cpuTwins(device: Device | null = null): ContributorCompute {
	return { profile: () => ({ backend: 'cpu', device }), compute: async (_slot, lease, signal) => cpuCompute(lease, signal) };
}

export function nodeContributor(o: NodeContributorOptions): NodeContributor {
	const signer = o.signer ?? new NodeSigner();
	const client = new ApiClient(o.url, signer);
	if (o.address) client.headers = { 'x-forwarded-for': o.address };
	const store = o.store instanceof MemoryWorkStore ? o.store : new MemoryWorkStore();
	const { url: _url, signer: _signer, address: _address, device, compute, ...rest } = o;
	const loop = new ContributorLoop({
		kernels: CPU_KERNELS,
		leaseMs: 60_000,
		refereeSteps: REFEREE_STEPS,
		...rest,
		store,
		relay: apiClientRelay(client),
		signer: nodeReceiptSigner(signer),
		compute: compute ?? cpuTwins(device ?? null)
	});
	return { loop, client, signer, store };
}
