import * as v from 'valibot';

/** Why money moved. Every transfer carries one; work-related ones name their job and task. */
const TRANSFER_REASONS = ['grant', 'mint', 'escrow', 'payout', 'fee', 'refund', 'stake', 'unstake', 'release', 'slash', 'clawback', 'redeem', 'train-escrow', 'train-payout', 'train-refund'] as const;
export type TransferReason = (typeof TRANSFER_REASONS)[number];

/** Which of a key's accounts an entry touched. */
const HOLDINGS = ['balance', 'stake', 'unstaking', 'redeeming', 'starter'] as const;
export type Holding = (typeof HOLDINGS)[number];

/** Entries per page of GET /api/v1/accounts/:key/entries. */
export const LEDGER_PAGE_MAX = 50;

/** One ledger entry as seen from one of the key's accounts: positive in, negative out. */
const LedgerEntrySchema = v.object({
	transferId: v.string(),
	seq: v.number(),
	at: v.number(),
	holding: v.picklist(HOLDINGS),
	amountMicro: v.number(),
	reason: v.picklist(TRANSFER_REASONS),
	counterparty: v.string(),
	jobId: v.nullable(v.string()),
	taskId: v.nullable(v.string())
});
export type LedgerEntry = v.InferOutput<typeof LedgerEntrySchema>;

/** GET /api/v1/accounts/:key/entries?before=<seq>: newest first; `nextBefore` pages back. */
export const LedgerPageSchema = v.object({
	entries: v.array(LedgerEntrySchema),
	nextBefore: v.nullable(v.number())
});
export type LedgerPage = v.InferOutput<typeof LedgerPageSchema>;
