// Training sessions: what the relay stores (a join code that finds the host) and the messages
// host and peers exchange over their WebRTC data channel. Every message is validated on
// arrival; sizes are bounded so a peer cannot make the host hold more than a round's worth.
import * as v from 'valibot';
import { PublicKeyHexSchema } from './auth.js';
import { AMOUNT_MICRO_MAX } from './limits.js';
import { PlainTextSchema } from './text.js';

/** Join codes: six characters without look-alikes (no 0/O, 1/I/L). */
export const JOIN_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const JOIN_CODE_LENGTH = 6;
export const NICKNAME_CHARS_MAX = 32;
export const SESSION_TITLE_CHARS_MAX = 80;
/** Participants a session admits (a class, with room for the teacher's spare devices). */
export const SESSION_PEERS_MAX = 64;
/** Largest adapter, shard or delta carried in one message. */
export const TRAIN_MESSAGE_BYTES_MAX = 2 * 1024 * 1024;
export const SESSION_ROUNDS_MAX = 500;
const LOCAL_STEPS_MAX = 256;

export const JoinCodeSchema = v.pipe(v.string(), v.toUpperCase(), v.length(JOIN_CODE_LENGTH), v.regex(new RegExp(`^[${JOIN_CODE_ALPHABET}]+$`), 'a join code'));
const PeerIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'a mesh peer id'));
const Count = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max));
const Bytes = v.pipe(
	v.union([v.custom<Uint8Array>((b) => b instanceof Uint8Array), v.instance(ArrayBuffer)]),
	// Copied into a fresh ArrayBuffer: the result is plain, aligned and owned by the receiver.
	v.transform((b): Uint8Array<ArrayBuffer> => (b instanceof Uint8Array ? new Uint8Array(b) : new Uint8Array(b))),
	v.check((b) => b.byteLength <= TRAIN_MESSAGE_BYTES_MAX, 'too large')
);

const SessionModeSchema = v.picklist(['classroom', 'funded']);

const Micro = v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(AMOUNT_MICRO_MAX));

export const CreateTrainSessionSchema = v.pipe(
	v.strictObject({
		hostPeerId: PeerIdSchema,
		title: v.pipe(PlainTextSchema, v.trim(), v.minLength(1), v.maxLength(SESSION_TITLE_CHARS_MAX)),
		mode: SessionModeSchema,
		/** Funded sessions: the budget prepaid into escrow and what 1,000 accepted tokens earn. */
		budgetMicro: v.optional(Micro, 0),
		pricePerKTokenMicro: v.optional(Micro, 0)
	}),
	v.check((s) => s.mode === 'classroom' || (s.budgetMicro > 0 && s.pricePerKTokenMicro > 0), 'a funded session needs a budget and a price'),
	v.check((s) => s.mode === 'funded' || (s.budgetMicro === 0 && s.pricePerKTokenMicro === 0), 'a classroom session has no budget')
);
export type CreateTrainSession = v.InferOutput<typeof CreateTrainSessionSchema>;

export const TrainSessionSchema = v.object({
	id: v.string(),
	code: v.string(),
	host: PublicKeyHexSchema,
	hostPeerId: PeerIdSchema,
	title: v.string(),
	mode: SessionModeSchema,
	state: v.picklist(['open', 'ended']),
	createdAt: v.number(),
	budgetMicro: v.number(),
	pricePerKTokenMicro: v.number(),
	/** What the escrow still holds (funded sessions; 0 otherwise). */
	escrowMicro: v.number()
});
export type TrainSession = v.InferOutput<typeof TrainSessionSchema>;

/** POST /api/v1/train-sessions/:id (the host): move the session to a new mesh id (after a reload), or end it. */
export const UpdateTrainSessionSchema = v.strictObject({ hostPeerId: v.optional(PeerIdSchema), end: v.optional(v.boolean()) });

const Nickname = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(NICKNAME_CHARS_MAX));
const Sha256Hex = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex'));
const SignatureHex = v.pipe(v.string(), v.regex(/^[0-9a-f]{128}$/, 'an ed25519 signature in hex'));

/**
 * Peer → host. `hello` is signed by the peer's key over (session id, peer id, nickname); each
 * `delta` carries the peer's signature of `updateStatement` for its bytes.
 */
export const PeerMessageSchema = v.variant('type', [
	v.object({
		type: v.literal('hello'),
		nickname: Nickname,
		publicKey: PublicKeyHexSchema,
		signature: v.pipe(v.string(), v.regex(/^[0-9a-f]{128}$/)),
		/** Tokens per second this device trained at in its warm-up step. */
		speed: v.pipe(v.number(), v.minValue(0), v.maxValue(1e9))
	}),
	v.object({ type: v.literal('progress'), round: Count(SESSION_ROUNDS_MAX), step: Count(LOCAL_STEPS_MAX * 4), steps: Count(LOCAL_STEPS_MAX * 4) }),
	v.object({ type: v.literal('delta'), round: Count(SESSION_ROUNDS_MAX), delta: Bytes, meanLoss: v.number(), signature: SignatureHex }),
	v.object({ type: v.literal('failed'), round: Count(SESSION_ROUNDS_MAX), reason: v.pipe(v.string(), v.maxLength(200)) })
]);
/** What a peer sends (byte fields may be any Uint8Array). */
export type PeerMessageIn = v.InferInput<typeof PeerMessageSchema>;

const RoundSummarySchema = v.object({
	round: Count(SESSION_ROUNDS_MAX),
	validationLoss: v.number(),
	accepted: Count(SESSION_PEERS_MAX),
	rejected: Count(SESSION_PEERS_MAX),
	tokensPerSecond: v.number(),
	sample: v.pipe(v.string(), v.maxLength(2_000))
});
export type RoundSummary = v.InferOutput<typeof RoundSummarySchema>;

/** Host → peer. */
export const HostMessageSchema = v.variant('type', [
	v.object({
		type: v.literal('welcome'),
		title: v.pipe(v.string(), v.maxLength(SESSION_TITLE_CHARS_MAX)),
		baseSha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
		keepShare: v.number(),
		history: v.pipe(v.array(RoundSummarySchema), v.maxLength(SESSION_ROUNDS_MAX)),
		/** A classroom demonstration: the host lets peers send poisoned updates, so the class can watch them rejected. Absent from older hosts: off. */
		demonstration: v.optional(v.boolean(), false)
	}),
	v.object({
		type: v.literal('round'),
		round: Count(SESSION_ROUNDS_MAX),
		adapter: Bytes,
		shard: Bytes,
		steps: v.pipe(Count(LOCAL_STEPS_MAX * 4), v.minValue(1)),
		batch: v.pipe(Count(64), v.minValue(1)),
		lr: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
		seed: v.pipe(v.number(), v.integer()),
		deadlineAt: v.number()
	}),
	v.object({ type: v.literal('verdict'), round: Count(SESSION_ROUNDS_MAX), accepted: v.boolean(), reason: v.nullable(v.string()) }),
	v.object({ type: v.literal('summary'), summary: RoundSummarySchema }),
	v.object({ type: v.literal('state'), state: v.picklist(['waiting', 'running', 'paused', 'ended']) }),
	v.object({ type: v.literal('kicked'), reason: v.string() }),
	/** Sent every couple of seconds, so a peer notices a closed host page (or a dead relay link) in seconds. */
	v.object({ type: v.literal('alive') })
]);
/** What a host sends (byte fields may be any Uint8Array). */
export type HostMessageIn = v.InferInput<typeof HostMessageSchema>;

/** What a peer signs in its hello: binds its key to this session and this connection. */
export const helloMessage = (sessionId: string, peerId: string, nickname: string): string => `mycelia-train-hello\n${sessionId}\n${peerId}\n${nickname}`;

/**
 * What a peer signs with each update it sends: its key took part in this round of this session
 * with exactly these delta bytes. The host's receipt carries these statements, so it can name
 * only keys that took part (a stranger's key has no statement to show), and the host cannot
 * pin a rejection on an update the peer never sent.
 */
export const updateStatement = (sessionId: string, round: number, deltaSha256: string): string => `mycelia-train-update\n${sessionId}\n${round}\n${deltaSha256}`;

/** A peer's signed statement for its update (over `updateStatement`), as the receipt carries it. */
const UpdateProofSchema = v.strictObject({ sha256: Sha256Hex, signature: SignatureHex });
export type UpdateProof = v.InferOutput<typeof UpdateProofSchema>;

/** Tokens one contribution may claim in a receipt (the most a round can assign one peer). */
const RECEIPT_TOKENS_MAX = LOCAL_STEPS_MAX * 4 * 64 * 256;

/** The host's signed word on one round of a funded session: at most one entry per participant. */
export const TrainReceiptSchema = v.pipe(
	v.strictObject({
		round: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(SESSION_ROUNDS_MAX)),
		accepted: v.pipe(
			v.array(v.strictObject({ worker: PublicKeyHexSchema, tokens: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(RECEIPT_TOKENS_MAX)), update: UpdateProofSchema })),
			v.maxLength(SESSION_PEERS_MAX)
		),
		rejected: v.pipe(v.array(v.strictObject({ worker: PublicKeyHexSchema, update: UpdateProofSchema })), v.maxLength(SESSION_PEERS_MAX))
	}),
	v.check((r) => r.accepted.length + r.rejected.length <= SESSION_PEERS_MAX, `a receipt names at most ${SESSION_PEERS_MAX} participants`)
);
export type TrainReceipt = v.InferOutput<typeof TrainReceiptSchema>;

export const ReceiptResultSchema = v.object({
	paidMicro: v.number(),
	replayed: v.boolean(),
	escrowMicro: v.number(),
	/** Rejections in this receipt that counted against a key's standing (see the relay's README). */
	rejectionsCounted: v.number()
});
