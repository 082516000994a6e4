import * as v from 'valibot';

/** Valibot issues as the `details` of a 400 and as one readable sentence for its message. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], fallbackPath: string): { details: { path: string | null; message: string }[]; text: string } {
	const details = issues.map((i) => ({ path: v.getDotPath(i), message: i.message }));
	return { details, text: details.map((i) => `${i.path ?? fallbackPath}: ${i.message}`).join('; ') };
}
