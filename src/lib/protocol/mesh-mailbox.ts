// Relay mailboxes: the path between two mesh peers when WebRTC finds no direct one (a firewall,
// a symmetric NAT, a browser without WebRTC). A page claims a mailbox under its mesh id with
// its signing key; others post opaque messages to it, signed as the owner of the mailbox they
// send from; the owner takes them with a long poll. The relay only queues bytes, within bounds.
import * as v from 'valibot';
import { TRAIN_MESSAGE_BYTES_MAX } from './training.js';

/** Largest message one post carries: a training message plus its envelope. */
export const MAILBOX_MESSAGE_BYTES_MAX = TRAIN_MESSAGE_BYTES_MAX + 64 * 1024;
/** Messages and bytes waiting in one mailbox; a post beyond either is refused (429). */
export const MAILBOX_MESSAGES_MAX = 64;
export const MAILBOX_BYTES_MAX = 8 * 1024 * 1024;
/** Mailboxes the relay holds at once, and bytes waiting across all of them. */
export const MAILBOXES_MAX = 2_048;
export const MAILBOXES_BYTES_MAX = 128 * 1024 * 1024;
/**
 * Mailboxes one key holds at once. A training page claims one (the host's or the peer's mesh
 * id) and a reload claims a fresh id while the old one idles out (MAILBOX_IDLE_MS): a host tab,
 * a peer tab and a few reloads fit; one key cannot squat the relay-wide MAILBOXES_MAX.
 */
export const MAILBOXES_PER_KEY_MAX = 8;
/** A message not taken within this long is dropped (an owner that polls takes mail within one wait). */
export const MAILBOX_MESSAGE_TTL_MS = 30_000;
/** A mailbox its owner has not claimed or polled for this long is removed. */
export const MAILBOX_IDLE_MS = 60_000;
/** The longest a take waits for mail before answering with none. */
export const MAILBOX_WAIT_MS_MAX = 25_000;
/** Messages one take returns at most (more wait for the next take). */
export const MAILBOX_TAKE_MESSAGES_MAX = 16;

export const MailboxIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'a mesh peer id'));

export const TakeMailSchema = v.strictObject({ waitMs: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAILBOX_WAIT_MS_MAX)) });

/** One message as a take returns it (msgpack-encoded, in an array). */
export interface Mail {
	from: string;
	body: Uint8Array;
}

export const MailSchema = v.object({ from: MailboxIdSchema, body: v.instance(Uint8Array) });

/**
 * What two pages put in a message body (msgpack): `open` starts a link, `data` carries one
 * message of the link's own protocol, `close` ends it.
 */
export const EnvelopeSchema = v.variant('kind', [
	v.object({ kind: v.literal('open') }),
	v.object({ kind: v.literal('data'), data: v.unknown() }),
	v.object({ kind: v.literal('close') })
]);
export type Envelope = v.InferOutput<typeof EnvelopeSchema>;
