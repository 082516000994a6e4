// The one line a job page shows about why its job is or is not moving, from the job and its
// activity (GET /jobs/:id/activity). Pure, so every state is unit-tested.
import type { JobActivity, JobSummary } from '$lib/protocol';

type JobWait = 'contributors' | 'second-device' | 'other-network' | null;

export interface JobStatus {
	text: string;
	/** What the job waits for, if anything a requester can supply: more devices. */
	waiting: JobWait;
	tone: 'good' | 'wait' | 'info' | 'bad';
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function jobStatus(job: JobSummary, activity: JobActivity | null, unit: string): JobStatus {
	if (job.state === 'completed') return { text: `Complete: every ${unit} was computed by ${activity?.replicasPerTask ?? 2} independent devices that agreed.`, waiting: null, tone: 'good' };
	if (job.state === 'cancelled') return { text: 'Cancelled: what the job had not spent went back to your balance.', waiting: null, tone: 'info' };
	if (job.state === 'failed') return { text: `Failed: the devices could not agree on some ${unit}s; what was not spent went back to your balance.`, waiting: null, tone: 'bad' };
	if (!activity) return { text: 'Checking who is working on this job…', waiting: null, tone: 'info' };
	const need = activity.replicasPerTask;
	const requeued = activity.tasks.requeued > 0 ? ` ${plural(activity.tasks.requeued, unit)} re-queued after a device left.` : '';
	if (activity.contributorsOnline === 0) {
		return { text: `Waiting for contributors: no device is computing right now. Every ${unit} needs ${need} independent devices.${requeued}`, waiting: 'contributors', tone: 'wait' };
	}
	if (activity.independentOnline < need) {
		if (activity.contributorsOnline >= need) {
			return {
				text: `Waiting for a device on another network: the ${plural(activity.contributorsOnline, 'device')} contributing share one network, and the ${need} results of a ${unit} must come from different networks.${requeued}`,
				waiting: 'other-network',
				tone: 'wait'
			};
		}
		const ready = activity.tasks.waitingForPartner > 0 ? ` ${plural(activity.tasks.waitingForPartner, unit)} already computed once and waiting for it.` : '';
		return {
			text: `Waiting for a second device: every ${unit} must be computed by ${need} independent devices, and only one is contributing.${ready}${requeued}`,
			waiting: 'second-device',
			tone: 'wait'
		};
	}
	const computing = activity.tasks.computing > 0 ? `${plural(activity.tasks.computing, unit)} being computed` : 'asking for work';
	return { text: `Computing on ${plural(activity.contributorsOnline, 'device')}: ${computing}.${requeued}`, waiting: null, tone: 'info' };
}
