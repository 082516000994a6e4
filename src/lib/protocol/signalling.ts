// PeerJS signalling bound to identity. A mesh peer id names its owner's key (a role, the first
// half of the public key in hex, a random tag), and the page opens the signalling socket with a
// token: a request signature (src/lib/verify/request-signature.ts) by that key over a GET of the
// socket path for that id. The relay checks both before the peer server sees the socket, so
// nobody can take, replay or replace another key's id.
import * as v from 'valibot';
import { PEERJS_PATH } from './version.js';

/** The `key` query parameter PeerJS sends (one namespace per relay). */
export const PEERJS_KEY = 'peerjs';
/** Where the PeerJS client opens its WebSocket: the mount path plus `peerjs`. */
export const SIGNAL_SOCKET_PATH = `${PEERJS_PATH}/peerjs`;

/** Hex characters of the owner's public key an id carries: 128 bits, beyond any search for a colliding key. */
const PEER_ID_KEY_HEX_CHARS = 32;
/** Random hex characters after the key, so one key can run several peers (a host, a peer, a tab). */
export const PEER_ID_TAG_HEX_CHARS = 16;

const PEER_ID = new RegExp(`^([a-z]{1,8})-([0-9a-f]{${PEER_ID_KEY_HEX_CHARS}})-[0-9a-f]{${PEER_ID_TAG_HEX_CHARS}}$`);

/** A mesh peer id: `<role>-<first 32 hex of the key>-<16 hex tag>` (fits a mailbox id, at most 58 characters). */
const SignalPeerIdSchema = v.pipe(v.string(), v.regex(PEER_ID, 'a mesh peer id: role-<32 hex of the key>-<16 hex>'));

/** The id for `role` and `publicKeyHex` with the given tag (16 hex characters). */
export function signalPeerId(role: string, publicKeyHex: string, tagHex: string): string {
	const id = `${role}-${publicKeyHex.slice(0, PEER_ID_KEY_HEX_CHARS)}-${tagHex}`;
	if (!PEER_ID.test(id)) throw new Error(`not a mesh peer id: ${JSON.stringify(id)}`);
	return id;
}

/** The key prefix an id names, or null when it is not a mesh peer id. */
export function peerIdKeyPrefix(id: string): string | null {
	return PEER_ID.exec(id)?.[2] ?? null;
}

/** The path and query a signalling token signs (method GET, empty body): the socket path for this id. */
export function signalSignedPath(id: string): string {
	return `${SIGNAL_SOCKET_PATH}?id=${id}`;
}

/**
 * The token: the five request-signature fields joined by dots, in the order
 * version.key.timestamp.nonce.signature (URL-safe: PeerJS puts it in the query unescaped).
 */
export const SIGNAL_TOKEN = /^([0-9]{1,4})\.([0-9a-f]{64})\.([0-9]{1,16})\.([0-9a-f]{32})\.([0-9a-f]{128})$/;

/**
 * Largest signalling message the relay reads (the socket's maxPayload). Chromium's data-channel
 * OFFER measured 725 bytes, its ANSWER 661 and an ICE candidate 329 (PeerJS trickles candidates,
 * so SDP does not grow with interfaces); 16 KiB leaves twenty times that for other browsers,
 * while a 10 MiB offer is cut off at its first frame header.
 */
export const SIGNAL_MESSAGE_BYTES_MAX = 16 * 1024;
/** Signalling sockets one key may hold open at once (tabs × a contributor, a host and a peer each). */
export const SIGNAL_SOCKETS_PER_KEY_MAX = 16;
/**
 * Messages one socket may send: a burst, then a steady rate. A host answering 30 peers that join
 * at once sends ~30 answers and a few hundred candidates in seconds; a heartbeat is one per 5 s.
 */
export const SIGNAL_MESSAGES_BURST = 600;
export const SIGNAL_MESSAGES_PER_SECOND = 50;

/** What a page may send on the signalling socket: PeerJS's heartbeat and its three relayed kinds. */
export const SignalMessageSchema = v.variant('type', [
	v.strictObject({ type: v.literal('HEARTBEAT') }),
	v.strictObject({ type: v.picklist(['OFFER', 'ANSWER', 'CANDIDATE']), dst: SignalPeerIdSchema, payload: v.record(v.string(), v.unknown()) })
]);
