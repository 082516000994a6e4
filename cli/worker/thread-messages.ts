// What the headless worker's pool and its compute threads say to each other.
export type ThreadRequest =
	| { type: 'compute'; id: number; kernel: string; kernelVersion: number; params: unknown }
	| { type: 'cancel'; id: number };

export type ThreadReply =
	| { type: 'done'; id: number; bytes: Uint8Array; states: Uint8Array | null; stateBytes: number }
	| { type: 'failed'; id: number; aborted: boolean; message: string };
