// A job's progress for a person: a bar redrawn in place on a terminal, plain lines (one per
// change) when the stream is a file or a pipe, and the final line either way.
import type { Progress } from '../src/lib/client/index.js';
import { getKernel } from '../src/lib/kernels/registry.js';
import { formatCredits } from '../src/lib/ui/money.js';
import type { Streams } from './output.js';

const BAR_CELLS_MAX = 30;

export function unitsOf(kernelId: string): string {
	return getKernel(kernelId)?.requester.unit.many ?? 'tasks';
}

/** `12 / 40 tiles verified, 0.0123 credits paid` */
function progressWords(p: Progress, units: string): string {
	return `${p.tasksDone} / ${p.tasks} ${units} verified, ${formatCredits(p.paidMicro)} credits paid`;
}

/** `[#########.....................]  30%` */
function progressBar(p: Progress, cells = BAR_CELLS_MAX): string {
	const share = p.tasks > 0 ? Math.min(1, p.tasksDone / p.tasks) : 0;
	const done = Math.round(share * cells);
	return `[${'#'.repeat(done)}${'.'.repeat(cells - done)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
}

/** Reports progress to `stream`; `end()` finishes the bar's line. */
export function progressReporter(stream: Streams['stderr'], jobId: string, kernelId: string): { report(p: Progress): void; end(): void } {
	const units = unitsOf(kernelId);
	let lastLine = '';
	let drawn = false;
	return {
		report(p) {
			const line = `job ${jobId} ${p.state}: ${progressWords(p, units)}`;
			if (line === lastLine) return;
			lastLine = line;
			if (stream.isTTY) {
				stream.write(`\r\x1b[2K${progressBar(p)} ${progressWords(p, units)}`);
				drawn = true;
			} else stream.write(`${line}\n`);
		},
		end() {
			if (drawn) stream.write('\n');
			drawn = false;
		}
	};
}
