import { formatCredits } from '../../src/lib/ui/money.js';
import type { ParsedCommand } from '../command.js';
import { connect } from '../connect.js';

export const grant: ParsedCommand = {
	name: 'grant',
	summary: 'take the starter credits (once per key)',
	usage: 'grant',
	help: "Asks the relay for its starter credits: once per key, and limited per network and per day by the relay. They pay for jobs only. Exit code 4 when refused (already taken, or the relay's limit reached).",
	options: {},
	async run({ globals, out }) {
		const m = await connect(globals);
		const g = await m.grant();
		out.answer({ grant: g }, `granted ${formatCredits(g.grantedMicro)} starter credits; balance ${formatCredits(g.balanceMicro)}`);
	}
};
