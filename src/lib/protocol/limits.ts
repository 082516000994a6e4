// Every queue, payload and retry is bounded; the numbers live here so relay and browser agree.

/** 1 credit = 1,000,000 micro-credits. Money is always an integer number of micro-credits. */
export const MICRO_PER_CREDIT = 1_000_000;
/** Largest amount any single request may name (1e9 credits), far below 2^53. */
export const AMOUNT_MICRO_MAX = 1_000_000_000_000_000;

/** Largest JSON body the relay reads, in bytes. */
export const JSON_BODY_BYTES_MAX = 16 * 1024;
/** Largest result upload (a 256×256 tile of u32 counts), in bytes. */
export const RESULT_BYTES_MAX = 256 * 256 * 4;

/** A signed request may be at most this far from the relay's clock. */
export const SIGNATURE_SKEW_MS_MAX = 120_000;
/** Tasks one claim may lease at once. */
export const CLAIM_TASKS_MAX = 16;
/** Prefetched (offline) leases one key may hold at once: a batch a device computes with no network. */
export const PREFETCH_TASKS_MAX = 16;
/**
 * A device that reports its speed is only handed tasks it should finish within this long (a
 * phone is not given a tile that would keep it busy for an hour); devices that report nothing
 * take any task.
 */
export const TASK_SECONDS_MAX = 300;
/**
 * A lease lasts this many times the device's own worst-case estimate for the task (its measured
 * speed for the task's cost class), and never less than LEASE_MS: a slow device is not timed out
 * by a lease sized for a fast one.
 */
export const LEASE_FIT_FACTOR = 3;
/**
 * Heartbeats keep a lease alive at most this long after it was granted: a device that claims to
 * compute forever cannot hold a task forever.
 */
export const LEASE_LIFETIME_MS_MAX = 3 * TASK_SECONDS_MAX * 1000;
/** A kernel's cost classes (kernels/types.ts) are numbered below this. */
export const COST_CLASSES_MAX = 16;
/** Kernel speeds one device may report (kernels × cost classes). */
export const DEVICE_KERNEL_SPEEDS_MAX = 64;
/** Commitments one claim may carry. */
export const CLAIM_COMMITMENTS_MAX = 32;
/** Open reveals a claim response lists at most (the rest come with the next claim). */
export const REVEALS_LISTED_MAX = 64;
/** Replicas a task may be sent to before it is declared failed (2, then 1 per dispute). */
export const TASK_REPLICAS_MAX = 5;
/** Replicas that must agree on a hash for an `exact` task to be accepted. */
export const QUORUM = 2;

/** Dispute questions (and referee tasks) one poll returns at most. */
export const DISPUTE_QUESTIONS_MAX = 32;
/** A bisect kernel's step state is at most this many bytes on the wire. */
export const DISPUTE_STATE_BYTES_MAX = 4096;
/** A Merkle proof has log2(steps) hashes; traces have at most 2^20 steps. */
export const DISPUTE_PROOF_HASHES_MAX = 20;

/** Keys the relay remembers as recently contributing (status lines only; the oldest go first). */
export const PRESENCE_KEYS_MAX = 10_000;
/** A key that claimed or heartbeat within this long counts as contributing now. */
export const PRESENCE_ONLINE_MS = 30_000;
/** Devices a job's activity lists at most. */
export const JOB_DEVICES_LISTED_MAX = 32;

/** Jobs listed per page. */
export const JOB_LIST_MAX = 50;
/** Open server-sent-event streams per job. */
export const SSE_STREAMS_PER_JOB_MAX = 64;

// Fair work (issue 14): a key holds no more work than it can finish and its record has earned,
// one network no more than a classroom needs, and while others wait nobody holds more than
// their share. Prefetched (offline) leases keep their own cap, PREFETCH_TASKS_MAX.
/**
 * Leases (work in hand: leased, not yet committed, not prefetched) a key with no valid results
 * may hold at once: two claims of a browser worker. Each valid result in a row adds one.
 */
export const KEY_LEASES_NEW = 4;
/** Leases any key may hold at once, however long its record: a browser's 8 workers × 2 leases, four times over. */
export const KEY_LEASES_MAX = 64;
/**
 * A key holds no more than its device could finish in this many LEASE_MS at its measured speed
 * (on up to DEVICE_WORKERS_MAX workers), and always one task per worker: a phone does not sit
 * on work a laptop could do meanwhile.
 */
export const LEASE_WINDOW_LEASES = 2;
/** Workers a device is credited with, however many cores it reports (the browser's pool maximum). */
export const DEVICE_WORKERS_MAX = 8;
/**
 * Leases (prefetched included) all keys on one public network (IPv4 /24, IPv6 /48) hold at
 * once: 30 devices behind one school NAT with 16 each fit; a thousand fresh keys from one
 * address do not take everything. Loopback and LAN addresses are not grouped.
 */
export const NETWORK_LEASES_MAX = 512;
/**
 * While other keys wait for work they could take, a key holds at most its share (the replicas
 * the running jobs still need, over the keys contributing now) and at least this many: the task
 * a browser worker computes and the one queued behind it.
 */
export const FAIR_SHARE_LEASES_MIN = 2;
/**
 * A key whose claim found less work than it had room for and that holds none counts as
 * waiting this long (FAIR_SHARE_WAITING_MS): a waiting device asks again at least every
 * CLAIM_IDLE_MS_MAX (5 s).
 */
export const WAITING_MS = 10_000;
/** Waiting keys a claim or heartbeat weighs at most (the most recent). */
export const WAITING_KEYS_WEIGHED_MAX = 64;
/**
 * A task whose lease a key (or its network) let lapse goes to a waiting key first: the lapsing
 * key may take it again after this long (every waiting device asks within CLAIM_IDLE_MS_MAX).
 */
export const RETAKE_GRACE_MS = 10_000;
