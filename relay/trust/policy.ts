// Adaptive replication (BOINC-style): how often a key's work is re-checked by another key.
import { createHash } from 'node:crypto';

/** A key below this many consecutive valid results is always replicated. */
export const WARMUP_STREAK_DEFAULT = 10;
/** However long a key's streak, at least this share of its tasks is re-checked. */
export const SPOT_CHECK_FLOOR = 0.05;
/** A slash takes this many times the task's price from the stake (never more than the stake). */
export const SLASH_PRICE_MULTIPLE = 10;
/**
 * How many of a cheater's most recent unreplicated results are re-examined. A warmed-up key is
 * spot-checked at least SPOT_CHECK_FLOOR of the time, so one that lies on everything is caught
 * within 256 tasks with probability > 0.999998; one that lies on a tenth of its tasks is caught
 * with probability 0.005 a task, within 1,024 tasks with probability 0.994. Its lies before the
 * window are the only ones backtracking could miss.
 */
export const BACKTRACK_RESULTS_MAX = 1024;
/**
 * Each further catch multiplies the stake a key must keep to work. Tenfold means a key that
 * staked what an honest device needs after one bad result (the base) is shut out by its second
 * catch: its probation work is replicated in full, so every task a repeat liar takes costs the
 * mesh twice.
 */
export const PROBATION_STAKE_GROWTH = 10;

/**
 * The stake a key caught `invalidTotal` times must keep to work: none before its first invalid
 * result, then the probation stake, ten times more with each further one.
 */
export function probationStakeMicro(invalidTotal: number, baseMicro: number): number {
	if (invalidTotal <= 0) return 0;
	return Math.min(Number.MAX_SAFE_INTEGER, baseMicro * PROBATION_STAKE_GROWTH ** Math.min(invalidTotal - 1, 15));
}
/** Spot-check draws are in millionths. */
const DRAW_SCALE = 1_000_000;

/**
 * The chance a task taken by a key with this streak also goes to another key: 1 until the
 * warm-up streak, then warmup/streak, never below SPOT_CHECK_FLOOR.
 */
export function spotCheckProbability(validStreak: number, warmupStreak = WARMUP_STREAK_DEFAULT): number {
	if (validStreak < warmupStreak) return 1;
	return Math.max(SPOT_CHECK_FLOOR, warmupStreak / validStreak);
}

/** The probability in millionths, as the claim statement compares it. */
export const spotCheckMicro = (p: number): number => Math.round(p * DRAW_SCALE);

/**
 * The draw for one (task, key): the task is re-checked when draw < probability. It is derived
 * from a secret seed, so a worker cannot predict which tasks are checks, yet it is stable, so
 * a retried claim decides the same way. The claim statement computes the same value in SQL
 * (`spotCheckDrawSql`); a test keeps the two equal.
 */
export function spotCheckDraw(seed: string, taskId: string, key: string): number {
	const hex = createHash('md5').update(`${seed}:${taskId}:${key}`).digest('hex').slice(0, 7);
	return parseInt(hex, 16) % DRAW_SCALE;
}

/** SQL twin of spotCheckDraw for the given parameter/column expressions. */
export const spotCheckDrawSql = (seed: string, taskId: string, key: string): string =>
	`(('x' || substr(md5(${seed} || ':' || ${taskId} || ':' || ${key}), 1, 7))::bit(28)::int % ${DRAW_SCALE})`;
