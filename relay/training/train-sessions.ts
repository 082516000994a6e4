// The relay's part in training sessions: minting a join code for a host and looking it up.
// Codes are random from an alphabet without look-alikes; a collision with an open session is
// retried (bounded), and ended sessions free nothing: codes stay unique forever.
import { randomBytes, randomUUID } from 'node:crypto';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, type CreateTrainSession, type TrainSession } from '../../src/lib/protocol/training.js';
import { HttpError } from '../api/http-error.js';
import { int, pgCode, PG, type Sql } from '../store/db.js';

/** Open sessions one host key may hold at once. */
export const OPEN_SESSIONS_PER_HOST_MAX = 4;
const CODE_ATTEMPTS_MAX = 8;

interface SessionRow {
	id: string;
	code: string;
	host: string;
	host_peer_id: string;
	title: string;
	mode: 'classroom' | 'funded';
	state: 'open' | 'ended';
	created_at: unknown;
}

const toSession = (r: SessionRow): TrainSession => ({
	id: r.id,
	code: r.code,
	host: r.host,
	hostPeerId: r.host_peer_id,
	title: r.title,
	mode: r.mode,
	state: r.state,
	createdAt: int(r.created_at)
});

export function newJoinCode(): string {
	const bytes = randomBytes(JOIN_CODE_LENGTH);
	return Array.from(bytes, (b) => JOIN_CODE_ALPHABET[b % JOIN_CODE_ALPHABET.length]).join('');
}

export async function createTrainSession(db: Sql, host: string, req: CreateTrainSession, now: number): Promise<TrainSession> {
	if (req.mode === 'funded') throw new HttpError(400, 'bad_request', 'funded training sessions are not available on this relay yet; host a classroom session');
	const [open] = await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM train_sessions WHERE host = $1 AND state = 'open'`, [host]);
	if (int(open?.n ?? 0) >= OPEN_SESSIONS_PER_HOST_MAX) {
		throw new HttpError(409, 'conflict', `this key already hosts ${OPEN_SESSIONS_PER_HOST_MAX} open sessions; end one first`);
	}
	for (let attempt = 0; attempt < CODE_ATTEMPTS_MAX; attempt++) {
		const code = newJoinCode();
		try {
			const [row] = await db.query<SessionRow>(
				`INSERT INTO train_sessions (id, code, host, host_peer_id, title, mode, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING *`,
				[randomUUID(), code, host, req.hostPeerId, req.title, req.mode, now]
			);
			return toSession(row!);
		} catch (err) {
			if (pgCode(err) !== PG.uniqueViolation) throw err;
		}
	}
	throw new HttpError(503, 'internal', 'could not find a free join code; try again');
}

export async function sessionByCode(db: Sql, code: string): Promise<TrainSession> {
	const [row] = await db.query<SessionRow>('SELECT * FROM train_sessions WHERE code = $1', [code]);
	if (!row) throw new HttpError(404, 'not_found', `no training session has the code ${code}`);
	return toSession(row);
}

/** The host moves its session to a new mesh id (a reload makes a new peer) or ends it. */
export async function updateTrainSession(db: Sql, host: string, id: string, change: { hostPeerId?: string; end?: boolean }, now: number): Promise<TrainSession> {
	const [row] = await db.query<SessionRow>(
		`UPDATE train_sessions SET host_peer_id = coalesce($3, host_peer_id),
			state = CASE WHEN $4 THEN 'ended' ELSE state END, ended_at = CASE WHEN $4 THEN $5 ELSE ended_at END
		WHERE id = $1 AND host = $2 AND state = 'open' RETURNING *`,
		[id, host, change.hostPeerId ?? null, change.end === true, now]
	);
	if (!row) throw new HttpError(404, 'not_found', 'no open session of yours has this id');
	return toSession(row);
}
