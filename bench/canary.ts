// `npm run bench -- canary [--rounds 30] [--peers 4] [--steps 8] [--batch 4] [--attacks a,b]`: a
// DiLoCo session where, every round, k honest peers send real deltas and the attackers send one
// each: the sign-flipped, ×100-scaled, random (same norm as an honest delta) and copied (an
// honest peer's delta, arriving after it) variants (all four unless --attacks names some; a
// classroom round is one or two honest peers and one attacker). The host's checks decide; the session advances
// with what they accept. Prints each attack's detection rate and the honest false rejections.
import { readFileSync } from 'node:fs';
import { report } from './report.js';
import { AdamW } from '../src/lib/train/adamw.js';
import { shardStream } from '../src/lib/train/corpus.js';
import { closeRound, newHostState, type Arrival } from '../src/lib/train/host-round.js';
import { compressWithFeedback, decodeDelta, encodeDelta } from '../src/lib/train/delta-codec.js';
import { trainLocal } from '../src/lib/train/local-train.js';
import { initLora } from '../src/lib/train/model-init.js';
import { gaussian, mixSeed, seededRng } from '../src/lib/train/rng.js';
import { prepareTrainingData } from '../src/lib/train/training-data.js';
import { decodeWeights } from '../src/lib/train/weights-file.js';

const arg = (args: string[], name: string, fallback: number) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? Number(args[i + 1]) : fallback;
};

const ATTACKS = ['sign-flipped', 'scaled-x100', 'random', 'copied'] as const;
type Attack = (typeof ATTACKS)[number];

function attack(kind: Attack, honest: Float32Array[], rng: () => number): Float32Array {
	const victim = honest[Math.floor(rng() * honest.length)]!;
	if (kind === 'sign-flipped') return victim.map((v) => -v);
	if (kind === 'scaled-x100') return victim.map((v) => v * 100);
	if (kind === 'copied') return victim.slice();
	let sq = 0;
	for (const v of victim) sq += v * v;
	const noise = Float32Array.from(victim, () => gaussian(rng));
	let nsq = 0;
	for (const v of noise) nsq += v * v;
	const scale = Math.sqrt(sq / nsq);
	return noise.map((v) => v * scale);
}

export async function main(args: string[]): Promise<void> {
	const rounds = arg(args, 'rounds', 30);
	const peers = arg(args, 'peers', 4);
	const steps = arg(args, 'steps', 8);
	const batch = arg(args, 'batch', 4);
	const { header, params: base } = decodeWeights(readFileSync('static/training/base-model.bin'));
	const cfg = header.config;
	const data = prepareTrainingData(readFileSync('static/training/devils-dictionary.txt', 'utf8'), cfg.context);
	const host = newHostState(cfg, base, initLora(cfg, 7), data);
	const shards = shardStream(data.train, Array(peers).fill(1));
	const optimizers = shards.map(() => new AdamW(host.lora.length));
	const residuals = shards.map(() => new Float32Array(host.lora.length));
	const keep = arg(args, 'keep', 0.25);
	const lr = arg(args, 'lr', 3e-3);
	const named = args.includes('--attacks') ? args[args.indexOf('--attacks') + 1]!.split(',') : [...ATTACKS];
	const unknown = named.filter((a) => !(ATTACKS as readonly string[]).includes(a));
	if (unknown.length) throw new Error(`unknown attack ${unknown.join(', ')} (one of ${ATTACKS.join(', ')})`);
	const attacks = named as Attack[];
	// Everything reaches the host as a codec message, as in a session: honest peers compress
	// with error feedback, attackers encode whatever they craft.
	const wire = (d: Float32Array) => decodeDelta(encodeDelta(d, keep).bytes, d.length);
	const rng = seededRng(99);
	const caught = Object.fromEntries(ATTACKS.map((a) => [a, 0])) as Record<Attack, number>;
	let honestRejected = 0;
	let honestRiseMax = -Infinity;
	const reasons = new Map<string, number>();
	for (let r = 0; r < rounds; r++) {
		const honest = shards.map((shard, p) => trainLocal({ cfg, base, lora: host.lora, shard, steps, batch, seed: mixSeed(r, p), lr, optimizer: optimizers[p] }));
		const tokens = honest[0]!.tokens;
		const arrivals: Arrival[] = honest.map((h, p) => ({ peer: `honest-${p}`, delta: decodeDelta(compressWithFeedback(h.delta, residuals[p]!, keep).bytes, h.delta.length), tokens }));
		// Attackers arrive after the honest peers (a copier needs the original first).
		const sent = arrivals.map((a) => a.delta);
		for (const a of attacks) arrivals.push({ peer: a, delta: wire(attack(a, sent, rng)), tokens });
		const out = closeRound(host, arrivals);
		for (const v of out.verdicts) {
			if (v.peer.startsWith('honest')) {
				if (v.canaryLossRise !== null) honestRiseMax = Math.max(honestRiseMax, v.canaryLossRise);
				if (!v.accepted) {
					honestRejected++;
					console.error(`[canary] round ${r + 1}: honest ${v.peer} rejected: ${v.reason}`);
				}
			} else if (!v.accepted) caught[v.peer as Attack]++;
			if (!v.accepted) {
				// Tally reasons with their numbers blanked, so the same check groups together.
				const key = `${v.peer.replace(/-\d+$/, '')}: ${v.reason?.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/g, '#')}`;
				reasons.set(key, (reasons.get(key) ?? 0) + 1);
			}
		}
		console.error(`[canary] round ${r + 1}/${rounds}: validation ${out.validationLoss.toFixed(4)}, accepted ${out.verdicts.filter((v) => v.accepted).map((v) => v.peer).join(', ')}`);
	}
	for (const [why, n] of reasons) console.error(`[canary] ${n}× ${why}`);
	for (const a of attacks) report('canary', `detection rate, ${a} deltas`, caught[a] / rounds, 'share', { metric: 'target', value: 0.95 });
	report('canary', 'false rejection rate, honest deltas', honestRejected / (rounds * peers), 'share', { metric: 'target (at most)', value: 0.01 });
	report('canary', 'largest canary loss rise of an honest delta', honestRiseMax, 'nats', { metric: 'rejection bound', value: host.checks.lossRiseMax });
	report('canary', 'honest deltas checked', rounds * peers, 'deltas');
}
