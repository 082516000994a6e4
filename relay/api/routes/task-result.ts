import { notFound } from '../../domain-error.js';
import { ENDPOINTS } from '../../../src/lib/protocol/endpoints.js';
import { defineRoute } from '../route.js';

/** The accepted bytes of one task, content-addressed so they can be cached forever. */
export const taskResultRoute = defineRoute(ENDPOINTS.taskResult, {
	async handle({ ctx, params, res }) {
		const idx = Number(params.idx);
		if (!Number.isSafeInteger(idx) || idx < 0) throw notFound(`task ${params.idx}`);
		const [task] = await ctx.db.query<{ sha256: string }>(
			`SELECT accepted_hash AS sha256 FROM tasks WHERE job_id = $1 AND idx = $2 AND state = 'accepted'`,
			[params.id, idx]
		);
		const bytes = task ? await ctx.blobs.get(task.sha256) : null;
		if (!task || !bytes) throw notFound(`accepted result for task ${idx} of job ${params.id}`);
		const row = { sha256: task.sha256, bytes };
		res.writeHead(200, {
			'content-type': 'application/octet-stream',
			'content-length': String(row.bytes.length),
			etag: `"${row.sha256}"`,
			'x-mycelia-sha256': row.sha256,
			'cache-control': 'public, max-age=31536000, immutable'
		});
		res.end(Buffer.from(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength));
	}
});
