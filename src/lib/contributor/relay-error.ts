// How the loop reads a failed relay call, whichever client made it: the browser's RelayError
// and ContributorRelayError (what Node adapters throw) both carry the relay's error code, or
// `network` when no answer came.
export class ContributorRelayError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string
	) {
		super(message);
		this.name = 'ContributorRelayError';
	}
}

/** The relay's error code of a failed call, `network`, or null for anything else. */
export function errorCode(err: unknown): string | null {
	if (typeof err !== 'object' || err === null || !('code' in err)) return null;
	const code = (err as { code: unknown }).code;
	return typeof code === 'string' ? code : null;
}

export const hasCode = (err: unknown, code: string): boolean => errorCode(err) === code;

/** A readable one-line message for any error a relay call or a computation can throw. */
export function describeError(err: unknown): string {
	return err instanceof Error ? err.message : String(err);
}

/** An abort, however the platform spells it (a DOMException across a worker boundary, or an Error). */
export function isAbortError(err: unknown): boolean {
	return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}
