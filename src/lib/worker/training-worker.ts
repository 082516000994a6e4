// The training worker: local rounds for a peer and round closing for a host, off the page's
// main thread. A page does `wrap<TrainingWorkerApi>(new Worker(new URL('./training-worker.ts',
// import.meta.url), { type: 'module' }))`. The base model is loaded once and checked against
// its SHA-256; a peer's optimiser state and error-feedback residual stay here between rounds.
import { expose, transfer } from 'comlink';
import { AdamW } from '$lib/train/adamw';
import { compressWithFeedback, decodeDelta } from '$lib/train/delta-codec';
import { closeRound, newHostState, validationLoss, type HostState } from '$lib/train/host-round';
import { trainLocal, trainLocalWith } from '$lib/train/local-train';
import { loraLayout, type ModelConfig } from '$lib/train/model-config';
import { initLora } from '$lib/train/model-init';
import { roundSample } from '$lib/train/sample-text';
import { seededRng } from '$lib/train/rng';
import { nextShard, sampleBatch } from '$lib/train/corpus';
import { prepareTrainingData } from '$lib/train/training-data';
import { lossAndGrad, type Batch } from '$lib/train/transformer';
import { TransformerGpu } from '$lib/train/transformer-gpu';
import { decodeWeights } from '$lib/train/weights-file';
import type { PeerRound } from '$lib/training-session/train-store';
import { releaseTransferredSignal } from './abort-signal-transfer';

/** Demonstration attacks a peer can be asked to mount (the classroom sees them rejected). */
export type Attack = 'none' | 'sign-flip' | 'scale-100' | 'random';

/** The round the host assigned (as the peer stores it), plus what the peer adds to train it. */
export interface LocalRoundJob extends Omit<PeerRound, 'code'> {
	sessionId: string;
	keepShare: number;
	attack: Attack;
}

export interface HostRoundResult {
	verdicts: { peer: string; accepted: boolean; reason: string | null }[];
	validationLoss: number;
	adapter: Uint8Array;
	velocity: Uint8Array;
	sample: string;
}

interface Loaded {
	cfg: ModelConfig;
	base: Float32Array;
	sha256: string;
}

/** Time a GPU trial may take beyond four CPU steps (pipelines compile on the first step). */
const GPU_TRIAL_MS_MIN = 3_000;

/** Which model a peer's local rounds run on: the WebGPU one when it measured faster here. */
export type TrainBackend = 'webgpu' | 'cpu';

let loaded: Loaded | null = null;
/** The WebGPU model when this device has one and it measured faster than the CPU twins. */
let gpu: TransformerGpu | null = null;
const peers = new Map<string, { optimizer: AdamW; residual: Float32Array }>();
let host: { state: HostState; train: Uint8Array; cursor: number } | null = null;

const f32 = (b: Uint8Array) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
const bytes = (a: Float32Array) => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));

function need(): Loaded {
	if (!loaded) throw new Error('the base model is not loaded');
	return loaded;
}

/** A short sample of the model's writing, the same on every screen for a round. */
const sampleOf = (m: Loaded, lora: Float32Array, round: number) => roundSample(m.cfg, m.base, lora, round);

const api = {
	async loadBase(url: string): Promise<{ sha256: string; config: ModelConfig; adapterSize: number }> {
		if (!loaded) {
			const res = await fetch(url);
			if (!res.ok) throw new Error(`could not load the base model (${res.status})`);
			const { header, params } = decodeWeights(new Uint8Array(await res.arrayBuffer()));
			loaded = { cfg: header.config, base: params, sha256: header.sha256 };
		}
		return { sha256: loaded.sha256, config: loaded.cfg, adapterSize: loraLayout(loaded.cfg).size };
	},

	/**
	 * Tokens per second of one training step on this device, on the CPU twins and (where there
	 * is WebGPU) on the GPU, each after a warm-up step; local rounds then run on the faster one.
	 * A small model at a small batch can be faster on the CPU, and SwiftShader always is.
	 */
	async measureSpeed(batch: number): Promise<{ speed: number; backend: TrainBackend; cpuSpeed: number; gpuSpeed: number | null }> {
		const m = need();
		const lora = initLora(m.cfg, 1);
		const rng = seededRng(5);
		const stream = Uint8Array.from({ length: 4096 }, () => Math.floor(rng() * m.cfg.vocab));
		const grad = new Float32Array(lora.length);
		const timed = async (step: (b: Batch) => unknown) => {
			await step(sampleBatch(stream, batch, m.cfg.context, rng));
			const t0 = performance.now();
			await step(sampleBatch(stream, batch, m.cfg.context, rng));
			return (batch * m.cfg.context) / Math.max(1e-3, (performance.now() - t0) / 1000);
		};
		const cpuSpeed = await timed((b) => lossAndGrad(m.cfg, m.base, lora, b, { lora: grad }));
		let gpuSpeed: number | null = null;
		try {
			gpu ??= await TransformerGpu.open(m.cfg, m.base, { hardwareOnly: true });
			// A trial that takes longer than a few CPU steps (and shader compiling) has lost already.
			const cpuStepMs = ((batch * m.cfg.context) / cpuSpeed) * 1000;
			const trialMs = GPU_TRIAL_MS_MIN + 4 * cpuStepMs;
			if (gpu) gpuSpeed = await Promise.race([timed((b) => gpu!.lossAndGrad(lora, b, grad)).catch(() => 0), new Promise<number>((r) => setTimeout(() => r(0), trialMs))]);
		} catch {
			gpu?.destroy();
			gpu = null; // no usable device: the CPU twins it is
		}
		if (gpu && (gpuSpeed ?? 0) <= cpuSpeed) {
			gpu.destroy();
			gpu = null;
		}
		return gpu ? { speed: gpuSpeed!, backend: 'webgpu', cpuSpeed, gpuSpeed } : { speed: cpuSpeed, backend: 'cpu', cpuSpeed, gpuSpeed };
	},

	/** A peer's round: H local steps from the host's adapter, then a compressed delta. */
	async localRound(job: LocalRoundJob, onStep?: (step: number) => void, signal?: AbortSignal): Promise<{ delta: Uint8Array; meanLoss: number; tokens: number; backend: TrainBackend }> {
		try {
			const m = need();
			const lora = f32(job.adapter);
			if (lora.length !== loraLayout(m.cfg).size) throw new Error('the host sent an adapter of the wrong size');
			let state = peers.get(job.sessionId);
			if (!state) peers.set(job.sessionId, (state = { optimizer: new AdamW(lora.length), residual: new Float32Array(lora.length) }));
			const train = { cfg: m.cfg, base: m.base, lora, shard: job.shard, steps: job.steps, batch: job.batch, seed: job.seed, lr: job.lr, optimizer: state.optimizer, signal, onStep };
			let backend: TrainBackend = gpu ? 'webgpu' : 'cpu';
			let local;
			try {
				local = gpu ? await trainLocalWith(train, (l, b, g) => gpu!.lossAndGrad(l, b, g)) : trainLocal(train);
			} catch (err) {
				if (!gpu || signal?.aborted) throw err;
				// The GPU failed mid-round (a lost device): the round again on the CPU, with a fresh optimiser step count.
				gpu = null;
				backend = 'cpu';
				local = trainLocal({ ...train, optimizer: (state.optimizer = new AdamW(lora.length)) });
			}
			let delta = local.delta;
			if (job.attack === 'sign-flip') delta = delta.map((x) => -x);
			else if (job.attack === 'scale-100') delta = delta.map((x) => x * 100);
			else if (job.attack === 'random') {
				const rng = seededRng(job.seed);
				delta = delta.map(() => (rng() - 0.5) * 0.02);
			}
			const enc = compressWithFeedback(delta, state.residual, job.keepShare);
			return transfer({ delta: enc.bytes, meanLoss: local.meanLoss, tokens: local.tokens, backend }, [enc.bytes.buffer]);
		} finally {
			if (signal) releaseTransferredSignal(signal);
		}
	},

	/** Opens (or resumes) the host's side: the corpus split, the adapter and outer momentum. */
	hostOpen(text: string, resume: { round: number; adapter: Uint8Array; velocity: Uint8Array } | null): { validationLoss: number; trainTokens: number; sample: string } {
		const m = need();
		const data = prepareTrainingData(text, m.cfg.context);
		const state = newHostState(m.cfg, m.base, resume ? f32(resume.adapter) : initLora(m.cfg, 7), data);
		if (resume) {
			state.outer.velocity.set(f32(resume.velocity));
			state.round = resume.round;
		}
		host = { state, train: data.train, cursor: 0 };
		return { validationLoss: validationLoss(state), trainTokens: data.train.length, sample: sampleOf(m, state.lora, state.round) };
	},

	/** The next `tokens` of the training stream (wrapping), so successive shards cover the data. */
	hostShard(tokens: number): Uint8Array {
		if (!host) throw new Error('no session is open');
		const next = nextShard(host.train, host.cursor, tokens);
		host.cursor = next.cursor;
		return transfer(next.shard, [next.shard.buffer]);
	},

	hostAdapter(): Uint8Array {
		if (!host) throw new Error('no session is open');
		return bytes(host.state.lora);
	},

	/** Checks the deltas that arrived, steps, evaluates, samples; returns what to checkpoint. */
	hostClose(arrivals: { peer: string; delta: Uint8Array; tokens: number }[]): HostRoundResult {
		if (!host) throw new Error('no session is open');
		const m = need();
		const decoded = arrivals.flatMap((a) => {
			try {
				return [{ peer: a.peer, delta: decodeDelta(a.delta, host!.state.lora.length), tokens: a.tokens }];
			} catch {
				return [];
			}
		});
		const malformed = arrivals.filter((a) => !decoded.some((d) => d.peer === a.peer)).map((a) => ({ peer: a.peer, accepted: false, reason: 'the delta could not be decoded' }));
		const out = closeRound(host.state, decoded);
		return {
			verdicts: [...out.verdicts.map((v) => ({ peer: v.peer, accepted: v.accepted, reason: v.reason })), ...malformed],
			validationLoss: out.validationLoss,
			adapter: bytes(host.state.lora),
			velocity: bytes(host.state.outer.velocity),
			sample: sampleOf(m, host.state.lora, out.round)
		};
	}
};

export type TrainingWorkerApi = typeof api;
expose(api);
