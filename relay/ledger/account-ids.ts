/**
 * Account ids. A key has an available balance, a stake, credits on their way out of the stake
 * (still slashable) and credits locked for redemption; each job has its own escrow.
 */
export const MINT_ACCOUNT = 'mint';
export const FEE_ACCOUNT = 'fee';
/** Where slashed stake goes. */
export const INSURANCE_ACCOUNT = 'insurance';
export const userAccount = (key: string): string => `user:${key}`;
export const stakeAccount = (key: string): string => `stake:${key}`;
export const unstakingAccount = (key: string): string => `unstaking:${key}`;
export const redeemingAccount = (key: string): string => `redeeming:${key}`;
/** Starter credits: granted free, spendable only on jobs and training budgets (see funding.ts). */
export const starterAccount = (key: string): string => `starter:${key}`;
export const escrowAccount = (jobId: string): string => `escrow:${jobId}`;
/** A funded training session's escrow. */
export const trainEscrowAccount = (sessionId: string): string => `train-escrow:${sessionId}`;

/** Deterministic transfer ids: a retried settlement can never pay twice. */
export const transferIds = {
	demoGrant: (key: string) => `grant:demo:${key}`,
	mint: (ref: string) => `mint:${ref}`,
	escrow: (jobId: string) => `escrow:${jobId}`,
	payout: (taskId: string, worker: string) => `payout:${taskId}:${worker}`,
	fee: (taskId: string) => `fee:${taskId}`,
	refund: (jobId: string) => `refund:${jobId}`,
	stake: (key: string, ref: string) => `stake:${key}:${ref}`,
	unstake: (unstakeId: string) => `unstake:${unstakeId}`,
	release: (unstakeId: string) => `release:${unstakeId}`,
	slash: (taskId: string, worker: string, from: 'stake' | 'unstaking') => `slash:${taskId}:${worker}:${from}`,
	clawback: (taskId: string, worker: string) => `clawback:${taskId}:${worker}`,
	redeem: (redemptionId: string) => `redeem:${redemptionId}`,
	trainEscrow: (sessionId: string) => `train-escrow:${sessionId}`,
	trainPayout: (sessionId: string, round: number, worker: string) => `train-payout:${sessionId}:${round}:${worker}`,
	trainRefund: (sessionId: string) => `train-refund:${sessionId}`
};
