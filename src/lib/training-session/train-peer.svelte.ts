// A participant: finds the host by join code, connects over WebRTC (through the relay when no
// direct path opens), proves its key in a signed hello, and trains each round it is given in the
// training worker, sending back a compressed delta. Each round's shard and starting adapter are
// written to IndexedDB before training. If the host's connection drops, it looks the code up
// again (the host may have reloaded under a new mesh id) and reconnects, a bounded number of times.
import { bytesToHex } from '@noble/hashes/utils.js';
import { proxy, wrap, type Remote } from 'comlink';
import type { Peer } from 'peerjs';
import * as v from 'valibot';
import { helloMessage, HostMessageSchema, updateStatement, type PeerMessageIn, type RoundSummary } from '$lib/protocol';
import { signEd25519 } from '$lib/verify/ed25519';
import { sha256Hex } from '$lib/verify/sha256';
import type { Attack, TrainBackend, TrainingWorkerApi } from '$lib/worker/training-worker';
import '$lib/worker/abort-signal-transfer';
import { directLink, type LinkVia, type MeshLink } from './mesh-link';
import { newPeerId, openPeer } from '$lib/mesh/peer-connect';
import { RelayMailbox } from './relay-mailbox';
import { describeError } from '$lib/relay-api/relay-client';
import { session } from '$lib/state/session.svelte';
import { BASE_MODEL_URL, HOST_SILENCE_MS_MAX } from './train-host.svelte';
import { savePeerRound, type PeerRound } from './train-store';

/** Reconnection attempts after the host's link drops: about two minutes with the backoff below. */
const RECONNECTS_MAX = 12;
const RECONNECT_MS = 2_000;
const RECONNECT_MS_MAX = 10_000;
/** Progress reports per round at most (each is a tiny message). */
const PROGRESS_REPORTS = 8;
/** How often a connected peer says it is still there, so the host notices a closed page in seconds. */
const HEARTBEAT_MS = 2_000;
/** How long a direct WebRTC connection may take to open before the peer goes through the relay. */
const DIRECT_OPEN_MS_MAX = 10_000;
/** How long the host may take to answer through the relay. */
const RELAY_OPEN_MS_MAX = 20_000;

type PeerState = 'idle' | 'joining' | 'waiting' | 'training' | 'sent' | 'paused' | 'ended' | 'kicked' | 'error';

export class TrainPeer {
	state = $state<PeerState>('idle');
	error = $state<string | null>(null);
	title = $state('');
	nickname = $state('');
	round = $state(0);
	step = $state(0);
	steps = $state(0);
	accepted = $state(0);
	rejected = $state(0);
	lastVerdict = $state<string | null>(null);
	history = $state.raw<RoundSummary[]>([]);
	speed = $state<number | null>(null);
	/** What local rounds run on here: WebGPU when it measured faster than the CPU twins. */
	backend = $state<TrainBackend | null>(null);
	/** How messages reach the host: a direct data channel, or the relay when no direct path exists. */
	via = $state<LinkVia | null>(null);

	/** The host opened a classroom demonstration: this peer may choose to send poisoned updates. */
	demonstration = $state(false);
	/** The poisoned updates this peer sends while the host allows it ('none': honest). */
	attack = $state<Attack>('none');

	private code = '';
	private peer: Peer | null = null;
	private conn: MeshLink | null = null;
	private mailbox: RelayMailbox | null = null;
	private meshId = '';
	/** Set once opening a WebRTC peer failed here: every connection then goes through the relay. */
	private noWebRtc = false;
	/** Set once a direct channel to this session's host opened. */
	private hostHasWebRtc = false;
	private worker: Worker | null = null;
	private api: Remote<TrainingWorkerApi> | null = null;
	private baseSha256 = '';
	private keepShare = 0.05;
	private sessionId = '';
	private reconnects = 0;
	private leaving = false;
	private training: AbortController | null = null;
	private heartbeat: ReturnType<typeof setInterval> | null = null;
	/** When the host last said anything (its heartbeat comes every couple of seconds). */
	private lastFromHost = 0;

	get status(): string {
		switch (this.state) {
			case 'idle':
				return 'not in a session';
			case 'joining':
				return 'joining…';
			case 'waiting':
				return this.round === 0 ? 'waiting for the host to start' : `waiting for round ${this.round + 1}`;
			case 'training':
				return `training round ${this.round}: step ${this.step} of ${this.steps}`;
			case 'sent':
				return `round ${this.round} sent; waiting for the host's checks`;
			case 'paused':
				return 'the host paused the session';
			case 'ended':
				return 'the session has ended';
			case 'kicked':
				return 'the host removed you from the session';
			case 'error':
				return this.error ?? 'something went wrong';
		}
	}

	async join(code: string, nickname: string): Promise<void> {
		if (this.state !== 'idle' && this.state !== 'error' && this.state !== 'ended' && this.state !== 'kicked') return;
		this.state = 'joining';
		this.error = null;
		this.code = code.toUpperCase();
		this.nickname = nickname;
		this.demonstration = false;
		this.attack = 'none';
		this.leaving = false;
		this.hostHasWebRtc = false;
		try {
			await session.start();
			this.worker ??= new Worker(new URL('../worker/training-worker.ts', import.meta.url), { type: 'module', name: 'mycelia-training' });
			this.api ??= wrap<TrainingWorkerApi>(this.worker);
			this.baseSha256 = (await this.api.loadBase(BASE_MODEL_URL)).sha256;
			if (this.speed === null) {
				const measured = await this.api.measureSpeed(4);
				this.speed = measured.speed;
				this.backend = measured.backend;
			}
			await this.connect();
		} catch (err) {
			this.fail(describeError(err));
		}
	}

	leave(): void {
		this.leaving = true;
		if (this.heartbeat) clearInterval(this.heartbeat);
		this.heartbeat = null;
		this.training?.abort();
		this.conn?.close();
		this.peer?.destroy();
		this.peer = null;
		this.mailbox?.close();
		this.mailbox = null;
		this.meshId = '';
		this.conn = null;
		this.via = null;
		this.worker?.terminate();
		this.worker = null;
		this.api = null;
		this.state = 'idle';
	}

	private fail(message: string): void {
		this.error = message;
		this.state = 'error';
	}

	private async connect(): Promise<void> {
		const found = await session.client.trainSession(this.code);
		if (found.state === 'ended') {
			this.state = 'ended';
			return;
		}
		this.sessionId = found.id;
		this.title = found.title;
		this.meshId ||= newPeerId('peer', session.identity!.publicKeyHex);
		if (!this.peer && !this.noWebRtc) this.peer = await openPeer(this.meshId, session.client).catch(() => ((this.noWebRtc = true), null));
		// A peer that had to use the relay last time does not wait out another direct attempt.
		const direct = this.via !== 'relay' ? await this.direct(found.hostPeerId) : null;
		// A host we reached directly before that the signalling server no longer knows has closed
		// or is reloading: asking its old mailbox would only wait out a timeout.
		if (direct === 'unavailable' && this.hostHasWebRtc) throw new Error('the host is not there right now (it may be reloading)');
		const conn = direct && direct !== 'unavailable' ? direct : await this.relayed(found.hostPeerId);
		if (conn.via === 'direct') this.hostHasWebRtc = true;
		this.conn = conn;
		this.via = conn.via;
		conn.on('data', (raw) => void this.onMessage(raw));
		conn.on('close', () => void this.onClose(conn));
		this.reconnects = 0;
		if (this.heartbeat) clearInterval(this.heartbeat);
		this.lastFromHost = Date.now();
		this.heartbeat = setInterval(() => {
			// A host page that closed can leave its channel (or relay mailbox) open for a minute: silence says so sooner.
			if (Date.now() - this.lastFromHost > HOST_SILENCE_MS_MAX) return conn.close();
			this.send({ type: 'progress', round: this.round, step: this.step, steps: this.steps });
		}, HEARTBEAT_MS);
		const identity = session.identity!;
		const message = new TextEncoder().encode(helloMessage(this.sessionId, this.meshId, this.nickname));
		this.send({ type: 'hello', nickname: this.nickname, publicKey: identity.publicKeyHex, signature: bytesToHex(signEd25519(message, identity.secretKey)), speed: this.speed ?? 0 });
	}

	/** A WebRTC data channel to the host; null when none opens in time, 'unavailable' when the signalling server does not know the host. */
	private direct(hostId: string): Promise<MeshLink | 'unavailable' | null> {
		const peer = this.peer;
		if (!peer) return Promise.resolve(null);
		const conn = peer.connect(hostId, { reliable: true });
		return new Promise((resolve) => {
			const done = (link: MeshLink | 'unavailable' | null) => {
				clearTimeout(timer);
				peer.off('error', onPeerError);
				if (typeof link !== 'object' || !link) conn.close();
				resolve(link);
			};
			// The host may have no WebRTC at all, or be gone: the signalling server says so at once.
			const onPeerError = (err: { type: string }) => err.type === 'peer-unavailable' && done('unavailable');
			const timer = setTimeout(() => done(null), DIRECT_OPEN_MS_MAX);
			peer.on('error', onPeerError);
			conn.once('open', () => done(directLink(conn)));
			conn.once('error', () => done(null));
		});
	}

	/** A link to the host through the relay's mailboxes. */
	private async relayed(hostId: string): Promise<MeshLink> {
		if (!this.mailbox || this.mailbox.closed) this.mailbox = await RelayMailbox.open(session.client, this.meshId);
		const link = this.mailbox.connect(hostId);
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				link.close();
				reject(new Error('the host did not answer, directly or through the relay'));
			}, RELAY_OPEN_MS_MAX);
			link.on('open', () => {
				clearTimeout(timer);
				resolve(link);
			});
			link.on('close', () => {
				clearTimeout(timer);
				reject(new Error('the host could not be reached, directly or through the relay'));
			});
		});
	}

	private async onClose(conn: MeshLink): Promise<void> {
		if (this.conn !== conn || this.leaving || this.state === 'ended' || this.state === 'kicked') return;
		this.conn = null;
		if (this.heartbeat) clearInterval(this.heartbeat);
		this.heartbeat = null;
		// The host may be reloading (it resumes under a new mesh id): look the code up again and
		// retry, a bounded number of times, until it answers.
		while (!this.leaving) {
			if (this.reconnects >= RECONNECTS_MAX) return this.fail('lost the connection to the host');
			this.reconnects++;
			this.state = 'joining';
			await new Promise((r) => setTimeout(r, Math.min(RECONNECT_MS_MAX, RECONNECT_MS * this.reconnects)));
			if (this.leaving) return;
			try {
				return await this.connect();
			} catch (err) {
				this.error = describeError(err);
			}
		}
	}

	private send(msg: PeerMessageIn): void {
		if (this.conn?.open) this.conn.send(msg);
	}

	private async onMessage(raw: unknown): Promise<void> {
		const parsed = v.safeParse(HostMessageSchema, raw);
		if (!parsed.success) return;
		const msg = parsed.output;
		this.lastFromHost = Date.now();
		switch (msg.type) {
			case 'alive':
				return;
			case 'welcome':
				if (msg.baseSha256 !== this.baseSha256) return this.fail('the host uses a different base model from this app version; reload both pages');
				this.title = msg.title;
				this.keepShare = msg.keepShare;
				this.demonstration = msg.demonstration;
				if (!msg.demonstration) this.attack = 'none';
				this.history = msg.history;
				this.round = msg.history.at(-1)?.round ?? 0;
				if (this.state === 'joining') this.state = 'waiting';
				return;
			case 'state':
				if (msg.state === 'ended') this.state = 'ended';
				else if (msg.state === 'paused' && this.state === 'waiting') this.state = 'paused';
				else if (msg.state === 'running' && this.state === 'paused') this.state = 'waiting';
				return;
			case 'round': {
				const job: PeerRound = { code: this.code, round: msg.round, adapter: msg.adapter, shard: msg.shard, steps: msg.steps, batch: msg.batch, lr: msg.lr, seed: msg.seed };
				await savePeerRound(job);
				return this.train(job);
			}
			case 'verdict':
				if (msg.accepted) this.accepted++;
				else this.rejected++;
				this.lastVerdict = msg.accepted ? `round ${msg.round}: accepted` : `round ${msg.round}: rejected (${msg.reason})`;
				return;
			case 'summary':
				this.history = [...this.history, msg.summary];
				if (this.state === 'sent' || this.state === 'waiting') this.state = 'waiting';
				return;
			case 'kicked':
				this.state = 'kicked';
				this.leaving = true;
				this.conn?.close();
				return;
		}
	}

	private async train(job: PeerRound): Promise<void> {
		if (!this.api) return;
		this.training?.abort();
		const abort = new AbortController();
		this.training = abort;
		this.round = job.round;
		this.step = 0;
		this.steps = job.steps;
		this.state = 'training';
		const every = Math.max(1, Math.floor(job.steps / PROGRESS_REPORTS));
		try {
			const out = await this.api.localRound(
				{ sessionId: this.sessionId, round: job.round, adapter: job.adapter, shard: job.shard, steps: job.steps, batch: job.batch, lr: job.lr, seed: job.seed, keepShare: this.keepShare, attack: this.demonstration ? this.attack : 'none' },
				proxy((step: number) => {
					this.step = step;
					if (step % every === 0 || step === job.steps) this.send({ type: 'progress', round: job.round, step, steps: job.steps });
				}),
				abort.signal
			);
			if (abort.signal.aborted) return;
			// Signed, so the host's receipt can show the relay this key took part in this round (and with which update).
			const statement = new TextEncoder().encode(updateStatement(this.sessionId, job.round, sha256Hex(out.delta)));
			const signature = bytesToHex(signEd25519(statement, session.identity!.secretKey));
			this.send({ type: 'delta', round: job.round, delta: out.delta, meanLoss: out.meanLoss, signature });
			this.state = 'sent';
		} catch (err) {
			if (abort.signal.aborted) return;
			this.send({ type: 'failed', round: job.round, reason: describeError(err).slice(0, 200) });
			this.state = 'waiting';
		}
	}
}
