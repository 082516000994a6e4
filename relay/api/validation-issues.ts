import type * as v from 'valibot';
import { issueDetails, type IssueDetail } from '../../src/lib/protocol/spec-issues.js';

/**
 * Valibot issues as the `details` of a 400 and as one readable sentence for its message. Spec
 * messages name their field themselves (`named`); other schemas' issues get the path in front.
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], fallbackPath: string, named = false): { details: IssueDetail[]; text: string } {
	const details = issueDetails(issues);
	return { details, text: details.map((i) => (named ? i.message : `${i.path ?? fallbackPath}: ${i.message}`)).join('; ') };
}
