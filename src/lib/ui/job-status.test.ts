import { describe, expect, it } from 'vitest';
import type { JobActivity, JobSummary } from '$lib/protocol';
import { jobStatus } from './job-status';

const job = (state: JobSummary['state'] = 'running'): JobSummary => ({
	id: 'j1',
	requester: 'a'.repeat(64),
	kernel: 'mandelbrot',
	kernelVersion: 1,
	spec: {},
	state,
	tasks: 20,
	tasksDone: 3,
	budgetMicro: 1,
	estimateMicro: 1,
	paidMicro: 0,
	feeMicro: 0,
	refundedMicro: 0,
	clawedBackMicro: 0,
	createdAt: 0,
	finishedAt: null
});
const activity = (over: Partial<Omit<JobActivity, 'tasks'>> & { tasks?: Partial<JobActivity['tasks']> } = {}): JobActivity => ({
	jobId: 'j1',
	now: 0,
	job: job(),
	replicasPerTask: 2,
	contributorsOnline: 2,
	independentOnline: 2,
	devices: [],
	...over,
	tasks: { open: 17, computing: 2, waitingForPartner: 0, requeued: 0, ...over.tasks }
});

describe('job status line', () => {
	it('names what a running job waits for', () => {
		expect(jobStatus(job(), activity({ contributorsOnline: 0, independentOnline: 0 }), 'tile')).toMatchObject({ waiting: 'contributors', text: expect.stringMatching(/^Waiting for contributors/) });
		const one = jobStatus(job(), activity({ contributorsOnline: 1, independentOnline: 1, tasks: { waitingForPartner: 5 } }), 'tile');
		expect(one.waiting).toBe('second-device');
		expect(one.text).toBe('Waiting for a second device: every tile must be computed by 2 independent devices, and only one is contributing. 5 tiles already computed once and waiting for it.');
		expect(jobStatus(job(), activity({ contributorsOnline: 3, independentOnline: 1 }), 'tile').waiting).toBe('other-network');
	});

	it('says how many tiles went back to the queue after a device left', () => {
		expect(jobStatus(job(), activity({ tasks: { requeued: 3, computing: 1 } }), 'tile').text).toBe('Computing on 2 devices: 1 tile being computed. 3 tiles re-queued after a device left.');
		expect(jobStatus(job(), activity({ contributorsOnline: 1, independentOnline: 1, tasks: { requeued: 1 } }), 'tile').text).toMatch(/1 tile re-queued after a device left\.$/);
	});

	it('ends in words for every final state, and never claims progress it cannot see', () => {
		expect(jobStatus(job('completed'), null, 'tile')).toMatchObject({ tone: 'good', waiting: null });
		expect(jobStatus(job('cancelled'), null, 'tile').text).toMatch(/^Cancelled/);
		expect(jobStatus(job('failed'), null, 'chain').text).toMatch(/chains/);
		expect(jobStatus(job(), null, 'tile').text).toBe('Checking who is working on this job…');
	});
});
