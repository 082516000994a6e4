// A spec's validation issues in the shape of an invalid_spec 400's `details`, made the same way
// by the relay (from its own check) and the browser (checking first, so typing never costs a 400).
import * as v from 'valibot';

/** One problem: the field's dot path (null for the spec as a whole) and what is wrong, in words. */
export interface IssueDetail {
	path: string | null;
	message: string;
}

/** Most problems one answer carries: a spec has a handful of fields, each with one message. */
const ISSUE_DETAILS_MAX = 32;

/** Valibot issues as details, each distinct (path, message) once (several checks can fail alike), in order. */
export function issueDetails(issues: readonly v.BaseIssue<unknown>[]): IssueDetail[] {
	const seen = new Set<string>();
	const out: IssueDetail[] = [];
	for (const issue of issues) {
		const detail = { path: v.getDotPath(issue), message: issue.message };
		const key = JSON.stringify(detail);
		if (seen.has(key)) continue;
		seen.add(key);
		out.push(detail);
		if (out.length === ISSUE_DETAILS_MAX) break;
	}
	return out;
}

/** Field path → its first message; '' holds a problem of the spec as a whole. Ignores malformed entries. */
export function messagesByField(details: readonly unknown[]): Record<string, string> {
	const out: Record<string, string> = {};
	for (const d of details) {
		if (!d || typeof d !== 'object') continue;
		const { path, message } = d as { path?: unknown; message?: unknown };
		if (typeof message !== 'string') continue;
		out[typeof path === 'string' ? path : ''] ??= message;
	}
	return out;
}
