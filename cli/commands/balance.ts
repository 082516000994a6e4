import { formatCredits } from '../../src/lib/mesh/money.js';
import type { ParsedCommand } from '../command.js';
import { connect } from '../connect.js';

export const balance: ParsedCommand = {
	name: 'balance',
	summary: "show your key's credits: balance, starter credits, stake",
	usage: 'balance',
	help: 'Shows what your key holds on the relay, in credits: the balance (starter credits included), the stake, and what is unstaking or being redeemed.',
	options: {},
	async run({ globals, out }) {
		const m = await connect(globals);
		const h = await m.balance();
		const lines = [`key ${h.key}`, `  balance   ${formatCredits(h.balanceMicro)} credits (of which starter ${formatCredits(h.starterMicro)}: for jobs only)`, `  stake     ${formatCredits(h.stakeMicro)}`];
		if (h.unstakingMicro > 0) lines.push(`  unstaking ${formatCredits(h.unstakingMicro)}`);
		if (h.redeemingMicro > 0) lines.push(`  redeeming ${formatCredits(h.redeemingMicro)}`);
		out.answer({ holdings: h }, lines);
	}
};
