import { formatCredits } from '../../src/lib/ui/money.js';
import type { ParsedCommand } from '../command.js';
import { connect } from '../connect.js';

export const balance: ParsedCommand = {
	name: 'balance',
	summary: "show your key's credits: balance, starter credits, stake",
	usage: 'balance',
	help: 'Shows what your key holds on the relay, in credits: starter credits (for jobs and training only), the balance (bought or earned), the stake, and what is unstaking or being redeemed.',
	options: {},
	async run({ globals, out }) {
		const m = await connect(globals);
		const h = await m.balance();
		const lines = [`key ${h.key}`, `  starter   ${formatCredits(h.starterMicro)} credits (for jobs and training only)`, `  balance   ${formatCredits(h.balanceMicro)}`, `  stake     ${formatCredits(h.stakeMicro)}`];
		if (h.unstakingMicro > 0) lines.push(`  unstaking ${formatCredits(h.unstakingMicro)}`);
		if (h.redeemingMicro > 0) lines.push(`  redeeming ${formatCredits(h.redeemingMicro)}`);
		out.answer({ holdings: h }, lines);
	}
};
