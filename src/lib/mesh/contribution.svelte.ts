// The app-wide contribution: one contributor and one mesh membership per tab, kept across page
// navigations (leaving /contribute does not stop the work; the Leave button does).
import type { Info } from '$lib/protocol';
import { Contributor, type ContributorOptions } from './contributor.svelte';
import { PeerMesh } from './peer-mesh.svelte';
import { describeError, type RelayClient, type Signer } from './relay-client';

class Contribution {
	readonly mesh = new PeerMesh();
	contributor = $state.raw<Contributor | null>(null);
	/** What the first /contribute visit read from its URL (see contributor.svelte.ts). */
	options = $state<ContributorOptions | null>(null);

	get active(): boolean {
		return this.contributor !== null && this.contributor.state !== 'idle';
	}

	async join(deps: { client: RelayClient; signer: Signer; info: Info; workers: number; onSubmitted?: () => void }): Promise<void> {
		if (this.active || !this.options) return;
		const contributor = new Contributor({
			client: deps.client,
			signer: deps.signer,
			leaseMs: deps.info.leaseMs,
			kernels: deps.info.kernels.map((k) => k.id),
			onSubmitted: deps.onSubmitted
		});
		this.contributor = contributor;
		this.mesh.join(deps.signer.publicKeyHex).catch((err: unknown) => {
			this.mesh.error = describeError(err);
			this.mesh.state = 'error';
		});
		await contributor.start({ workers: deps.workers, backend: this.options.backend, faultCorrupt: this.options.faultCorrupt });
	}

	async leave(): Promise<void> {
		this.mesh.leave();
		await this.contributor?.stop();
	}
}

export const contribution = new Contribution();
