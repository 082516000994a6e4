// The relay's part in training sessions: minting a join code for a host and looking it up.
// Codes are random from an alphabet without look-alikes; a collision with an open session is
// retried (bounded), and ended sessions free nothing: codes stay unique forever.
import { randomBytes, randomUUID } from 'node:crypto';
import { fundSession, refundSession } from './train-payments.js';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, type CreateTrainSession, type TrainSession } from '../../src/lib/protocol/training.js';
import { DomainError } from '../domain-error.js';
import { int, pgCode, PG, type Db, type Sql } from '../store/db.js';

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
	budget_micro: unknown;
	price_per_ktoken_micro: unknown;
	escrow: unknown;
}

const toSession = (r: SessionRow): TrainSession => ({
	id: r.id,
	code: r.code,
	host: r.host,
	hostPeerId: r.host_peer_id,
	title: r.title,
	mode: r.mode,
	state: r.state,
	createdAt: int(r.created_at),
	budgetMicro: int(r.budget_micro),
	pricePerKTokenMicro: int(r.price_per_ktoken_micro),
	escrowMicro: int(r.escrow ?? 0)
});

const SELECT = `SELECT s.*, coalesce(a.balance_micro, 0) AS escrow FROM train_sessions s LEFT JOIN accounts a ON a.id = 'train-escrow:' || s.id`;

function newJoinCode(): string {
	const bytes = randomBytes(JOIN_CODE_LENGTH);
	return Array.from(bytes, (b) => JOIN_CODE_ALPHABET[b % JOIN_CODE_ALPHABET.length]).join('');
}

export async function createTrainSession(db: Db, host: string, req: CreateTrainSession, now: number): Promise<TrainSession> {
	const [open] = await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM train_sessions WHERE host = $1 AND state = 'open'`, [host]);
	if (int(open?.n ?? 0) >= OPEN_SESSIONS_PER_HOST_MAX) {
		throw new DomainError('conflict', `this key already hosts ${OPEN_SESSIONS_PER_HOST_MAX} open sessions; end one first`);
	}
	for (let attempt = 0; attempt < CODE_ATTEMPTS_MAX; attempt++) {
		const code = newJoinCode();
		try {
			return await db.transaction(async (tx) => {
				const id = randomUUID();
				await tx.query(
					`INSERT INTO train_sessions (id, code, host, host_peer_id, title, mode, state, created_at, budget_micro, price_per_ktoken_micro) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9)`,
					[id, code, host, req.hostPeerId, req.title, req.mode, now, req.budgetMicro, req.pricePerKTokenMicro]
				);
				if (req.mode === 'funded') await fundSession(tx, host, id, req.budgetMicro, now);
				const [row] = await tx.query<SessionRow>(`${SELECT} WHERE s.id = $1`, [id]);
				return toSession(row!);
			});
		} catch (err) {
			if (pgCode(err) !== PG.uniqueViolation) throw err;
		}
	}
	throw new DomainError('internal', 'could not find a free join code; try again', { transient: true });
}

export async function sessionByCode(db: Sql, code: string): Promise<TrainSession> {
	const [row] = await db.query<SessionRow>(`${SELECT} WHERE s.code = $1`, [code]);
	if (!row) throw new DomainError('not_found', `no training session has the code ${code}`);
	return toSession(row);
}

/** The host moves its session to a new mesh id (a reload makes a new peer) or ends it. */
export async function updateTrainSession(db: Db, host: string, id: string, change: { hostPeerId?: string; end?: boolean }, now: number): Promise<TrainSession> {
	return db.transaction(async (tx) => {
		const [updated] = await tx.query<{ id: string; mode: string }>(
			`UPDATE train_sessions SET host_peer_id = coalesce($3, host_peer_id),
				state = CASE WHEN $4 THEN 'ended' ELSE state END, ended_at = CASE WHEN $4 THEN $5::bigint ELSE ended_at END
			WHERE id = $1 AND host = $2 AND state = 'open' RETURNING id, mode`,
			[id, host, change.hostPeerId ?? null, change.end === true, now]
		);
		if (!updated) throw new DomainError('not_found', 'no open session of yours has this id');
		if (change.end && updated.mode === 'funded') await refundSession(tx, host, id, now);
		const [row] = await tx.query<SessionRow>(`${SELECT} WHERE s.id = $1`, [id]);
		return toSession(row!);
	});
}
