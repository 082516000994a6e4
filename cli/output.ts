// Where a command's words go: its answer on stdout (one JSON object with --json, else text),
// everything else (notes, progress, errors) on stderr, so stdout can be piped or parsed.
import type { Writable } from 'node:stream';

export interface Streams {
	stdout: Writable & { isTTY?: boolean; columns?: number };
	stderr: Writable & { isTTY?: boolean; columns?: number };
	stdin: NodeJS.ReadStream | (NodeJS.ReadableStream & { isTTY?: boolean });
}

export class Output {
	private answered = false;
	constructor(
		readonly streams: Streams,
		readonly json: boolean
	) {}

	/** A note for the person at the terminal (stderr). */
	note(line: string): void {
		this.streams.stderr.write(`${line}\n`);
	}

	/** The command's answer: `{ ok: true, ...data }` as JSON with --json, else `text` (lines) on stdout. Once. */
	answer(data: object, text: string | string[]): void {
		if (this.answered) throw new Error('a command answers once');
		this.answered = true;
		if (this.json) this.streams.stdout.write(`${JSON.stringify({ ok: true, ...data })}\n`);
		else {
			const lines = Array.isArray(text) ? text : [text];
			if (lines.length > 0) this.streams.stdout.write(`${lines.join('\n')}\n`);
		}
	}

	/** A command that failed: its message on stderr, and with --json an error object on stdout. */
	fail(code: string, message: string, exit: number): void {
		this.note(`mycelia: ${message}`);
		if (this.json && !this.answered) this.streams.stdout.write(`${JSON.stringify({ ok: false, error: { code, message }, exit })}\n`);
	}
}
