/** Account ids. A user's account is their public key; each job has its own escrow. */
export const MINT_ACCOUNT = 'mint';
export const FEE_ACCOUNT = 'fee';
export const userAccount = (key: string): string => `user:${key}`;
export const escrowAccount = (jobId: string): string => `escrow:${jobId}`;

/** Deterministic transfer ids: a retried settlement can never pay twice. */
export const transferIds = {
	demoGrant: (key: string) => `grant:demo:${key}`,
	mint: (ref: string) => `mint:${ref}`,
	escrow: (jobId: string) => `escrow:${jobId}`,
	payout: (taskId: string, worker: string) => `payout:${taskId}:${worker}`,
	fee: (taskId: string) => `fee:${taskId}`,
	refund: (jobId: string) => `refund:${jobId}`
};
