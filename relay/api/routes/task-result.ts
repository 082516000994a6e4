import { notFound } from '../http-error.js';
import { defineRoute } from '../route.js';

/** The accepted bytes of one task, content-addressed so they can be cached forever. */
export const taskResultRoute = defineRoute({
	method: 'GET',
	path: '/jobs/:id/tasks/:idx/result',
	signed: false,
	body: 'none',
	async handle({ ctx, params, res }) {
		const idx = Number(params.idx);
		if (!Number.isSafeInteger(idx) || idx < 0) throw notFound(`task ${params.idx}`);
		const [row] = await ctx.db.query<{ sha256: string; bytes: Uint8Array }>(
			`SELECT b.sha256, b.bytes FROM tasks t JOIN blobs b ON b.sha256 = t.accepted_hash
			WHERE t.job_id = $1 AND t.idx = $2 AND t.state = 'accepted'`,
			[params.id, idx]
		);
		if (!row) throw notFound(`accepted result for task ${idx} of job ${params.id}`);
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
