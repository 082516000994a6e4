/** Every signed message and every API path carries this version. Bump on any wire change. */
export const PROTOCOL_VERSION = 1 as const;
export const API_PREFIX = '/api/v1';
/** PeerJS signalling is mounted here on the relay's HTTP server. */
export const PEERJS_PATH = '/peerjs';
