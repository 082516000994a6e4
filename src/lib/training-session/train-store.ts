// What a training session keeps in IndexedDB ('mycelia-train'): the host's checkpoint after
// every round (so a reload resumes the session) and a peer's current round (its shard and the
// adapter it started from; a peer's reload does not resume from it yet).
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { RoundSummary, TrainReceipt } from '$lib/protocol';

export interface HostSettings {
	title: string;
	text: string;
	textLabel: string;
	rounds: number;
	steps: number;
	batch: number;
	lr: number;
	keepShare: number;
	roundSeconds: number;
	/** Funded sessions: the budget prepaid into escrow and what 1,000 accepted tokens earn (0 for a classroom). */
	budgetMicro: number;
	pricePerKTokenMicro: number;
	/** A classroom demonstration: peers may send poisoned updates (the host's checks reject them). Absent in checkpoints from before the setting: off. */
	demonstration?: boolean;
}

export interface ParticipantRecord {
	key: string;
	nickname: string;
	speed: number;
	accepted: number;
	/** Tokens of the accepted rounds (what a funded session pays for); absent in checkpoints from before it was kept. */
	acceptedTokens?: number;
	rejected: number;
	lastReason: string | null;
}

export interface HostCheckpoint {
	sessionId: string;
	code: string;
	settings: HostSettings;
	round: number;
	adapter: Uint8Array;
	velocity: Uint8Array;
	history: RoundSummary[];
	participants: ParticipantRecord[];
	kicked: string[];
	initialLoss: number;
	/** Receipts of a funded session the relay has not acknowledged yet (sent again after each round). */
	pendingReceipts: TrainReceipt[];
	ended: boolean;
	savedAt: number;
}

export interface PeerRound {
	code: string;
	round: number;
	adapter: Uint8Array;
	shard: Uint8Array;
	steps: number;
	batch: number;
	lr: number;
	seed: number;
}

interface TrainDb extends DBSchema {
	host: { key: string; value: HostCheckpoint };
	peer: { key: string; value: PeerRound };
}

let dbp: Promise<IDBPDatabase<TrainDb>> | null = null;
const db = () =>
	(dbp ??= openDB<TrainDb>('mycelia-train', 1, {
		upgrade(d) {
			d.createObjectStore('host', { keyPath: 'sessionId' });
			d.createObjectStore('peer', { keyPath: 'code' });
		}
	}));

export const saveCheckpoint = async (c: HostCheckpoint) => void (await db()).put('host', c);
export const loadCheckpoints = async (): Promise<HostCheckpoint[]> => (await (await db()).getAll('host')).sort((a, b) => b.savedAt - a.savedAt);
export const deleteCheckpoint = async (sessionId: string) => (await db()).delete('host', sessionId);
export const savePeerRound = async (r: PeerRound) => void (await db()).put('peer', r);
