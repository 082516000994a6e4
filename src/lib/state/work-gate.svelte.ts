// The browser contributor's gate (the plain one is $lib/contributor/work-gate.ts): the user's
// pause, running on battery, another tab holding the compute lock, a moment's hold to tell whose
// CPU pressure it is. Its reasons live in Svelte state, so the page's status line follows them.
import { WorkGate as Gate } from '$lib/contributor/work-gate';

export type GateCondition = 'user' | 'lock' | 'battery' | 'pressure';

/** Most important first: a pause by the user explains everything else. */
const GATE_ORDER: readonly GateCondition[] = ['user', 'lock', 'battery', 'pressure'];

export class WorkGate extends Gate<GateCondition> {
	constructor() {
		const reasons = $state<Partial<Record<GateCondition, string>>>({});
		super(GATE_ORDER, reasons);
	}
}
