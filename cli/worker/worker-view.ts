// What the headless worker shows: on a terminal one status line kept up to date under the
// events; piped, the events and a status line every STATUS_EVERY_MS; with --json one object a
// line ({"event": …} or {"status": …}) and nothing else on stdout.
import type { ContributorLoop } from '../../src/lib/contributor/contributor-loop.js';
import { formatCredits } from '../../src/lib/ui/money.js';

const STATUS_EVERY_MS = 30_000;
const TTY_EVERY_MS = 1_000;

type Snapshot = Pick<ContributorLoop, 'status' | 'tasksDone' | 'accepted' | 'rejected' | 'pending' | 'busy' | 'disputeAnswers' | 'paidMicro'>;

export class WorkerView {
	private last: Snapshot | null = null;
	private balanceText = '…';
	private readonly tty: boolean;
	private readonly timer: ReturnType<typeof setInterval>;
	private lineShown = false;

	constructor(
		private readonly out: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream },
		private readonly json: boolean
	) {
		this.tty = !json && out.stdout.isTTY === true;
		this.timer = setInterval(() => this.tick(), this.tty ? TTY_EVERY_MS : STATUS_EVERY_MS);
		this.timer.unref();
	}

	private line(s: Snapshot): string {
		return `${s.status} · ${s.tasksDone} done, ${s.accepted} accepted, ${s.rejected} rejected, ${s.pending} waiting for a partner · disputes answered ${s.disputeAnswers} · paid ${formatCredits(s.paidMicro)} cr this run · balance ${this.balanceText}`;
	}

	private write(text: string): void {
		if (this.tty && this.lineShown) this.out.stdout.write('\r\x1b[2K');
		this.out.stdout.write(`${text}\n`);
		this.lineShown = false;
		if (this.tty && this.last) this.redraw();
	}

	private redraw(): void {
		if (!this.last) return;
		const width = this.out.stdout.columns ?? 120;
		const text = this.line(this.last);
		this.out.stdout.write(`\r\x1b[2K${text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text}`);
		this.lineShown = true;
	}

	private tick(): void {
		if (!this.last) return;
		if (this.tty) this.redraw();
		else if (this.json) this.out.stdout.write(`${JSON.stringify({ status: this.snapshotJson(this.last) })}\n`);
		else this.out.stdout.write(`${this.line(this.last)}\n`);
	}

	private snapshotJson(s: Snapshot) {
		return { text: s.status, tasksDone: s.tasksDone, accepted: s.accepted, rejected: s.rejected, pending: s.pending, computing: s.busy, disputesAnswered: s.disputeAnswers, paidMicro: s.paidMicro, balance: this.balanceText };
	}

	/** A message from the worker itself. */
	say(text: string): void {
		if (this.json) this.out.stdout.write(`${JSON.stringify({ event: text, tone: 'info' })}\n`);
		else this.write(text);
	}

	/** One of the loop's activity lines. */
	event(text: string, tone: string): void {
		if (this.json) this.out.stdout.write(`${JSON.stringify({ event: text, tone })}\n`);
		else this.write(text);
	}

	update(loop: Snapshot): void {
		const { status, tasksDone, accepted, rejected, pending, busy, disputeAnswers, paidMicro } = loop;
		this.last = { status, tasksDone, accepted, rejected, pending, busy, disputeAnswers, paidMicro };
	}

	balance(text: string): void {
		this.balanceText = text;
	}

	done(loop: Snapshot, dataDir: string | null): void {
		this.update(loop);
		const s = this.last as Snapshot;
		const text = `Left: ${s.tasksDone} tasks done this run, ${s.accepted} accepted, paid ${formatCredits(s.paidMicro)} cr; balance ${this.balanceText}.${dataDir ? ` Unsent results, if any, wait in ${dataDir}.` : ''}`;
		if (this.json) this.out.stdout.write(`${JSON.stringify({ done: this.snapshotJson(s) })}\n`);
		else this.write(text);
	}

	close(): void {
		clearInterval(this.timer);
		if (this.tty && this.lineShown) this.out.stdout.write('\n');
		this.lineShown = false;
	}
}
