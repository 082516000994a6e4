// The session host (the teacher's browser): registers a join code with the relay, admits peers
// over WebRTC (or through its relay mailbox when they have no direct path), and runs DiLoCo's
// outer loop: each round it sends every ready peer the adapter and a shard sized by its measured
// speed, waits for their deltas until all arrived or the deadline passed, has the training
// worker check and average them, and checkpoints to IndexedDB so a reload resumes the session.
// A peer that leaves mid-round just stops counting.
import { hexToBytes } from '@noble/hashes/utils.js';
import { wrap, type Remote } from 'comlink';
import type { Peer } from 'peerjs';
import * as v from 'valibot';
import { SHARD_TOKENS_FACTOR } from '$lib/train/corpus';
import { helloMessage, PeerMessageSchema, SESSION_PEERS_MAX, TRAIN_MESSAGE_BYTES_MAX, updateStatement, type HostMessageIn, type RoundSummary, type TrainReceipt, type TrainSession, type UpdateProof } from '$lib/protocol';
import { verifyEd25519 } from '$lib/verify/ed25519';
import { sha256Hex } from '$lib/verify/sha256';
import type { TrainingWorkerApi } from '$lib/worker/training-worker';
import { directLink, type LinkVia, type MeshLink } from './mesh-link';
import { newPeerId, openPeer } from '$lib/mesh/peer-connect';
import { RelayMailbox } from './relay-mailbox';
import { describeError, RelayError } from '$lib/relay-api/relay-client';
import { session } from '$lib/state/session.svelte';
import { loadCheckpoints, saveCheckpoint, type HostCheckpoint, type HostSettings, type ParticipantRecord } from './train-store';

export const BASE_MODEL_URL = '/training/base-model.bin';
/** A peer silent this long in a round is no longer waited for (a closed page may not close its channel for a minute). */
const PEER_SILENCE_MS_MAX = 8_000;
/** How often the host tells its peers it is still there, and how long they wait before looking for it again. */
const HOST_HEARTBEAT_MS = 2_000;
export const HOST_SILENCE_MS_MAX = 8_000;
export const SHIPPED_CORPUS_URL = '/training/devils-dictionary.txt';

export interface Participant extends ParticipantRecord {
	acceptedTokens: number;
	peerId: string;
	/** How this peer's messages travel: a direct data channel or the relay's mailboxes. */
	via: LinkVia;
	status: 'ready' | 'training' | 'sent' | 'left' | 'kicked';
	step: number;
	steps: number;
	joinedRound: number;
}

type HostState = 'idle' | 'opening' | 'waiting' | 'running' | 'paused' | 'ended';

const REJECTIONS_SHOWN_MAX = 100;

/** Local steps for a peer: the session's H scaled by the peer's speed against the median, within [H/4, 2H]. */
function stepsFor(speed: number, speeds: readonly number[], h: number): number {
	const sorted = [...speeds].sort((a, b) => a - b);
	const median = sorted[sorted.length >> 1] ?? speed;
	const scaled = median > 0 ? Math.round((h * speed) / median) : h;
	return Math.max(Math.max(1, Math.floor(h / 4)), Math.min(2 * h, scaled));
}

export class TrainHost {
	state = $state<HostState>('idle');
	error = $state<string | null>(null);
	/** Something the host should know that is not an error (how peers reach the session). */
	notice = $state<string | null>(null);
	code = $state<string | null>(null);
	sessionId = $state<string | null>(null);
	settings = $state.raw<HostSettings | null>(null);
	participants = $state<Participant[]>([]);
	history = $state.raw<RoundSummary[]>([]);
	round = $state(0);
	initialLoss = $state<number | null>(null);
	sample = $state('');
	/** The latest rejections, newest last (bounded), so a teacher can see why a delta went. */
	rejections = $state.raw<{ round: number; nickname: string; reason: string }[]>([]);
	/** When the running round's deadline falls (ms since epoch), for a countdown. */
	deadlineAt = $state<number | null>(null);
	/** Funded sessions: what the escrow still holds and what has been paid out, as the relay last said. */
	escrowMicro = $state<number | null>(null);
	paidMicro = $state(0);
	/** What ending the session returned from the escrow to the host. */
	refundedMicro = $state<number | null>(null);
	private pendingReceipts: TrainReceipt[] = [];

	private peer: Peer | null = null;
	private mailbox: RelayMailbox | null = null;
	private worker: Worker | null = null;
	private api: Remote<TrainingWorkerApi> | null = null;
	private baseSha256 = '';
	private keepShare = 0.05;
	private readonly conns = new Map<string, MeshLink>();
	private kicked = new Set<string>();
	private arrivals = new Map<string, { delta: Uint8Array; tokens: number; update: UpdateProof }>();
	private assigned = new Map<string, number>();
	private roundTimer: ReturnType<typeof setTimeout> | null = null;
	private silenceTimer: ReturnType<typeof setInterval> | null = null;
	private aliveTimer: ReturnType<typeof setInterval> | null = null;
	private readonly lastHeard = new Map<string, number>();
	private roundStartedAt = 0;
	private inRound = false;
	/** Every ready peer has its work for the round: only then can "everyone has answered" close it. */
	private dispatched = false;
	private closing = false;

	get live(): Participant[] {
		return this.participants.filter((p) => p.status !== 'left' && p.status !== 'kicked');
	}

	/** Opens a new session, or resumes `resume` (a checkpoint from IndexedDB). */
	async open(settings: HostSettings, resume: HostCheckpoint | null = null): Promise<void> {
		if (this.state !== 'idle') return;
		this.state = 'opening';
		this.error = null;
		this.notice = null;
		try {
			await session.start();
			this.settings = settings;
			this.worker = new Worker(new URL('../worker/training-worker.ts', import.meta.url), { type: 'module', name: 'mycelia-training' });
			this.api = wrap<TrainingWorkerApi>(this.worker);
			const base = await this.api.loadBase(BASE_MODEL_URL);
			this.baseSha256 = base.sha256;
			this.keepShare = settings.keepShare;
			const opened = await this.api.hostOpen(settings.text, resume ? { round: resume.round, adapter: resume.adapter, velocity: resume.velocity } : null);
			// WebRTC where it works; the relay mailbox under the same id for peers it cannot reach.
			const meshId = newPeerId('host', session.identity!.publicKeyHex);
			this.peer = await openPeer(meshId, session.client).catch(() => null);
			this.mailbox = await RelayMailbox.open(session.client, meshId);
			if (!this.peer) this.notice = 'WebRTC is not available in this browser: every peer reaches this session through the relay.';
			let s: TrainSession;
			if (resume) {
				s = await session.client.updateTrainSession(resume.sessionId, { hostPeerId: meshId });
				this.history = resume.history;
				this.round = resume.round;
				this.kicked = new Set(resume.kicked);
				this.participants = resume.participants.map((p) => ({ ...p, acceptedTokens: p.acceptedTokens ?? 0, peerId: '', via: 'direct', status: 'left', step: 0, steps: 0, joinedRound: 0 }));
				this.initialLoss = resume.initialLoss;
				this.pendingReceipts = resume.pendingReceipts ?? [];
			} else {
				const funded = settings.budgetMicro > 0;
				s = await session.client.createTrainSession({
					hostPeerId: meshId,
					title: settings.title,
					mode: funded ? 'funded' : 'classroom',
					budgetMicro: settings.budgetMicro,
					pricePerKTokenMicro: settings.pricePerKTokenMicro
				});
				session.refreshSoon();
				this.initialLoss = opened.validationLoss;
			}
			this.sessionId = s.id;
			this.code = s.code;
			if (s.mode === 'funded') this.escrowMicro = s.escrowMicro;
			this.sample = opened.sample;
			this.peer?.on('connection', (conn) => this.admit(directLink(conn)));
			this.mailbox.onLink((link) => this.admit(link));
			this.aliveTimer = setInterval(() => this.broadcast({ type: 'alive' }), HOST_HEARTBEAT_MS);
			this.state = resume?.round ? 'paused' : 'waiting';
			await this.checkpoint(false);
		} catch (err) {
			this.error = describeError(err);
			this.teardown();
			this.state = 'idle';
		}
	}

	start(): void {
		if (this.state !== 'waiting' && this.state !== 'paused') return;
		this.state = 'running';
		this.broadcast({ type: 'state', state: 'running' });
		if (!this.inRound) void this.runRound();
	}

	/** The running round finishes; no new one starts until resumed. */
	pause(): void {
		if (this.state !== 'running') return;
		this.state = 'paused';
		this.broadcast({ type: 'state', state: 'paused' });
	}

	async end(): Promise<void> {
		if (this.state === 'ended' || this.state === 'idle') return;
		if (this.roundTimer) clearTimeout(this.roundTimer);
		this.state = 'ended';
		this.broadcast({ type: 'state', state: 'ended' });
		await this.sendReceipts();
		await this.checkpoint(true);
		try {
			if (this.sessionId) {
				const ended = await session.client.updateTrainSession(this.sessionId, { end: true });
				// Ending refunds what the escrow still held to the host.
				if (this.escrowMicro !== null) {
					this.refundedMicro = this.escrowMicro - ended.escrowMicro;
					this.escrowMicro = ended.escrowMicro;
					session.refreshSoon();
				}
			}
		} catch (err) {
			this.error = `the session ended here, but the relay was not told: ${describeError(err)}`;
		}
		setTimeout(() => this.teardown(), 500);
	}

	kick(key: string): void {
		const p = this.participants.find((x) => x.key === key);
		if (!p) return;
		this.kicked.add(key);
		const conn = this.conns.get(key);
		if (conn?.open) conn.send({ type: 'kicked', reason: 'the host removed you from the session' } satisfies HostMessageIn);
		setTimeout(() => conn?.close(), 200);
		this.conns.delete(key);
		p.status = 'kicked';
		this.assigned.delete(key);
		this.maybeCloseRound();
	}

	/** The adapter as a weights-style file: a JSON header line, then float32 parameters. */
	async exportAdapter(): Promise<Blob> {
		if (!this.api) throw new Error('no session is open');
		const adapter = await this.api.hostAdapter();
		const header = JSON.stringify({ format: 'mycelia-lora-adapter', baseSha256: this.baseSha256, round: this.round, title: this.settings?.title, validationLoss: this.history.at(-1)?.validationLoss ?? this.initialLoss });
		return new Blob([header, '\n', adapter as BlobPart], { type: 'application/octet-stream' });
	}

	private admit(conn: MeshLink): void {
		let key: string | null = null;
		conn.on('data', (raw) => {
			const parsed = v.safeParse(PeerMessageSchema, raw);
			if (!parsed.success) return conn.close();
			const msg = parsed.output;
			if (msg.type === 'hello') {
				if (key) return;
				const signed = verifyEd25519(hexToBytes(msg.signature), new TextEncoder().encode(helloMessage(this.sessionId ?? '', conn.peer, msg.nickname)), hexToBytes(msg.publicKey));
				if (!signed) return conn.close();
				if (this.kicked.has(msg.publicKey)) {
					conn.send({ type: 'kicked', reason: 'the host removed you from this session' } satisfies HostMessageIn);
					return void setTimeout(() => conn.close(), 200);
				}
				if (this.live.length >= SESSION_PEERS_MAX && !this.participants.some((p) => p.key === msg.publicKey)) return conn.close();
				key = msg.publicKey;
				this.lastHeard.set(key, Date.now());
				this.conns.get(key)?.close();
				this.conns.set(key, conn);
				const known = this.participants.find((p) => p.key === key);
				if (known) Object.assign(known, { peerId: conn.peer, via: conn.via, nickname: msg.nickname, speed: msg.speed, status: 'ready', step: 0, steps: 0, joinedRound: this.round + 1 });
				else this.participants.push({ key, peerId: conn.peer, via: conn.via, nickname: msg.nickname, speed: msg.speed, accepted: 0, acceptedTokens: 0, rejected: 0, lastReason: null, status: 'ready', step: 0, steps: 0, joinedRound: this.round + 1 });
				conn.send({ type: 'welcome', title: this.settings?.title ?? '', baseSha256: this.baseSha256, keepShare: this.keepShare, history: this.history, demonstration: this.settings?.demonstration ?? false } satisfies HostMessageIn);
				conn.send({ type: 'state', state: this.state === 'running' ? 'running' : this.state === 'paused' ? 'paused' : this.state === 'ended' ? 'ended' : 'waiting' } satisfies HostMessageIn);
				// Someone to train with: a running session that had nobody starts its round now.
				if (this.state === 'running' && !this.inRound) void this.runRound();
				return;
			}
			const p = key ? this.participants.find((x) => x.key === key) : undefined;
			if (!p || !key) return;
			this.lastHeard.set(key, Date.now());
			if (msg.type === 'progress' && msg.round === this.round + 1) {
				p.step = msg.step;
				p.steps = msg.steps;
			} else if (msg.type === 'delta' && msg.round === this.round + 1 && this.assigned.has(key) && !this.arrivals.has(key)) {
				// The peer's signed statement of this update is what lets the receipt name it.
				const sha256 = sha256Hex(msg.delta);
				const statement = new TextEncoder().encode(updateStatement(this.sessionId ?? '', msg.round, sha256));
				if (!verifyEd25519(hexToBytes(msg.signature), statement, hexToBytes(key))) {
					p.lastReason = 'sent an update without a valid signature';
					this.assigned.delete(key);
				} else {
					this.arrivals.set(key, { delta: msg.delta, tokens: this.assigned.get(key)!, update: { sha256, signature: msg.signature } });
					p.status = 'sent';
				}
				this.maybeCloseRound();
			} else if (msg.type === 'failed' && msg.round === this.round + 1) {
				p.lastReason = `could not train: ${msg.reason}`;
				this.assigned.delete(key);
				this.maybeCloseRound();
			}
		});
		conn.on('close', () => {
			if (!key || this.conns.get(key) !== conn) return;
			this.conns.delete(key);
			const p = this.participants.find((x) => x.key === key);
			if (p && p.status !== 'kicked') p.status = 'left';
			// A peer that left does not hold the round up: it is simply no longer waited for.
			this.assigned.delete(key);
			this.maybeCloseRound();
		});
	}

	private async runRound(): Promise<void> {
		if (this.inRound || this.state !== 'running' || !this.api || !this.settings) return;
		const s = this.settings;
		if (this.round >= s.rounds) return void this.end();
		const ready = this.live.filter((p) => this.conns.get(p.key)?.open);
		if (ready.length === 0) return; // runs again when someone joins
		this.inRound = true;
		this.dispatched = false;
		this.arrivals.clear();
		this.assigned.clear();
		this.roundStartedAt = Date.now();
		const deadlineAt = this.roundStartedAt + s.roundSeconds * 1000;
		this.deadlineAt = deadlineAt;
		const adapter = await this.api.hostAdapter();
		const speeds = ready.map((p) => p.speed);
		const context = 64;
		for (const p of ready) {
			const steps = stepsFor(p.speed, speeds, s.steps);
			const tokens = steps * s.batch * context;
			// Several passes' worth of text, within what one message may carry.
			const shard = await this.api.hostShard(Math.min(SHARD_TOKENS_FACTOR * tokens, TRAIN_MESSAGE_BYTES_MAX - context - 1) + context + 1);
			this.assigned.set(p.key, tokens);
			p.status = 'training';
			p.step = 0;
			p.steps = steps;
			const msg: HostMessageIn = { type: 'round', round: this.round + 1, adapter, shard, steps, batch: s.batch, lr: s.lr, seed: (this.round + 1) * 1_000 + ready.indexOf(p), deadlineAt };
			this.conns.get(p.key)?.send(msg);
		}
		this.dispatched = true;
		this.roundTimer = setTimeout(() => void this.closeRound(), s.roundSeconds * 1000);
		this.silenceTimer ??= setInterval(() => this.dropSilent(), 1_000);
		this.maybeCloseRound();
	}

	/** Stops waiting for assigned peers that have gone quiet (their page closed or their network dropped). */
	private dropSilent(): void {
		if (!this.inRound) return;
		const now = Date.now();
		for (const key of [...this.assigned.keys()]) {
			if (this.arrivals.has(key) || now - (this.lastHeard.get(key) ?? 0) <= PEER_SILENCE_MS_MAX) continue;
			this.assigned.delete(key);
			const p = this.participants.find((x) => x.key === key);
			if (p && p.status !== 'kicked') {
				p.status = 'left';
				p.lastReason = `silent for ${Math.round(PEER_SILENCE_MS_MAX / 1000)} s during the round`;
			}
			this.conns.get(key)?.close();
			this.conns.delete(key);
		}
		this.maybeCloseRound();
	}

	private maybeCloseRound(): void {
		if (!this.inRound || !this.dispatched || this.closing) return;
		if ([...this.assigned.keys()].every((k) => this.arrivals.has(k))) void this.closeRound();
	}

	private async closeRound(): Promise<void> {
		if (!this.inRound || this.closing || !this.api) return;
		this.closing = true;
		if (this.roundTimer) clearTimeout(this.roundTimer);
		this.roundTimer = null;
		try {
			const arrivals = [...this.arrivals].map(([peer, a]) => ({ peer, delta: a.delta, tokens: a.tokens }));
			if (arrivals.length === 0) {
				// Nothing arrived: the round does not count. Pause with the reasons rather than burn rounds.
				const why = [...new Set(this.participants.map((p) => p.lastReason).filter(Boolean))].join('; ');
				this.error = `round ${this.round + 1} got no updates${why ? ` (${why})` : ''}; the session is paused`;
				for (const p of this.participants) if (p.status === 'training' || p.status === 'sent') p.status = 'ready';
				this.state = 'paused';
				this.broadcast({ type: 'state', state: 'paused' });
				return;
			}
			const res = await this.api.hostClose(arrivals);
			let acceptedTokens = 0;
			for (const verdict of res.verdicts) {
				const p = this.participants.find((x) => x.key === verdict.peer);
				if (!p) continue;
				if (verdict.accepted) {
					p.accepted++;
					const tokens = this.arrivals.get(verdict.peer)?.tokens ?? 0;
					acceptedTokens += tokens;
					p.acceptedTokens += tokens;
				} else {
					p.rejected++;
					this.rejections = [...this.rejections, { round: this.round + 1, nickname: p.nickname, reason: verdict.reason ?? 'rejected' }].slice(-REJECTIONS_SHOWN_MAX);
				}
				p.lastReason = verdict.reason;
				this.conns.get(verdict.peer)?.send({ type: 'verdict', round: this.round + 1, accepted: verdict.accepted, reason: verdict.reason } satisfies HostMessageIn);
			}
			// Whoever was assigned but sent nothing by the deadline hears so.
			for (const key of this.assigned.keys()) {
				if (this.arrivals.has(key)) continue;
				const p = this.participants.find((x) => x.key === key);
				if (p) p.lastReason = 'no delta before the deadline';
			}
			for (const p of this.participants) if (p.status === 'training' || p.status === 'sent') p.status = 'ready';
			this.round++;
			const seconds = Math.max(0.001, (Date.now() - this.roundStartedAt) / 1000);
			const summary: RoundSummary = {
				round: this.round,
				validationLoss: res.validationLoss,
				accepted: res.verdicts.filter((x) => x.accepted).length,
				rejected: res.verdicts.filter((x) => !x.accepted).length,
				tokensPerSecond: acceptedTokens / seconds,
				sample: res.sample
			};
			this.history = [...this.history, summary];
			this.sample = res.sample;
			if (this.escrowMicro !== null) {
				const named = res.verdicts.flatMap((x) => {
					const a = this.arrivals.get(x.peer);
					return a ? [{ worker: x.peer, accepted: x.accepted, tokens: a.tokens, update: a.update }] : [];
				});
				this.pendingReceipts.push({
					round: this.round,
					accepted: named.filter((x) => x.accepted && x.tokens > 0).map(({ worker, tokens, update }) => ({ worker, tokens, update })),
					rejected: named.filter((x) => !x.accepted).map(({ worker, update }) => ({ worker, update }))
				});
				await this.sendReceipts();
			}
			this.broadcast({ type: 'summary', summary });
			await this.checkpoint(false, res.adapter, res.velocity);
		} catch (err) {
			this.error = `round ${this.round + 1} could not close: ${describeError(err)}`;
			this.state = 'paused';
		} finally {
			this.closing = false;
			this.inRound = false;
			this.dispatched = false;
			this.deadlineAt = null;
		}
		if (this.settings && this.round >= this.settings.rounds) await this.end();
		else if (this.state === 'running') void this.runRound();
	}

	/** Sends every receipt the relay has not acknowledged, oldest first; a failure leaves the rest for the next round. */
	private async sendReceipts(): Promise<void> {
		while (this.pendingReceipts.length > 0 && this.sessionId) {
			const r = this.pendingReceipts[0]!;
			try {
				const out = await session.client.trainReceipt(this.sessionId, r);
				this.paidMicro += out.replayed ? 0 : out.paidMicro;
				this.escrowMicro = out.escrowMicro;
				this.pendingReceipts.shift();
			} catch (err) {
				// A refusal will not change on a retry (a receipt from an older version, say): it goes, so later rounds still pay.
				if (err instanceof RelayError && err.status >= 400 && err.status < 500 && err.status !== 429) {
					this.error = `the relay refused the receipt for round ${r.round} (${describeError(err)}); nobody was paid for that round`;
					this.pendingReceipts.shift();
					continue;
				}
				this.error = `the receipt for round ${r.round} is not recorded yet (${describeError(err)}); it will be sent again after the next round`;
				return;
			}
		}
	}

	private broadcast(msg: HostMessageIn): void {
		for (const conn of this.conns.values()) if (conn.open) conn.send(msg);
	}

	private async checkpoint(ended: boolean, adapter?: Uint8Array, velocity?: Uint8Array): Promise<void> {
		if (!this.api || !this.sessionId || !this.code || !this.settings) return;
		const previous = (await loadCheckpoints()).find((c) => c.sessionId === this.sessionId);
		await saveCheckpoint({
			sessionId: this.sessionId,
			code: this.code,
			settings: this.settings,
			round: this.round,
			adapter: adapter ?? previous?.adapter ?? (await this.api.hostAdapter()),
			velocity: velocity ?? previous?.velocity ?? new Uint8Array(0),
			history: this.history,
			participants: this.participants.map((p) => ({ key: p.key, nickname: p.nickname, speed: p.speed, accepted: p.accepted, acceptedTokens: p.acceptedTokens, rejected: p.rejected, lastReason: p.lastReason })),
			kicked: [...this.kicked],
			initialLoss: this.initialLoss ?? 0,
			pendingReceipts: this.pendingReceipts,
			ended,
			savedAt: Date.now()
		});
	}

	private teardown(): void {
		if (this.roundTimer) clearTimeout(this.roundTimer);
		if (this.silenceTimer) clearInterval(this.silenceTimer);
		this.silenceTimer = null;
		if (this.aliveTimer) clearInterval(this.aliveTimer);
		this.aliveTimer = null;
		for (const c of this.conns.values()) c.close();
		this.conns.clear();
		this.peer?.destroy();
		this.peer = null;
		this.mailbox?.close();
		this.mailbox = null;
		this.worker?.terminate();
		this.worker = null;
		this.api = null;
	}
}
