import type { Route } from '../route.js';
import { accountRoute } from './accounts.js';
import { contributionRoute } from './contribution.js';
import { demoGrantRoute } from './grants.js';
import { healthRoute, reconcileRoute } from './health.js';
import { entriesRoute, holdingsRoute, trustRoute } from './holdings.js';
import { infoRoute } from './info.js';
import { jobEvidenceRoute } from './job-evidence.js';
import { jobEventsRoute } from './job-stream.js';
import { cancelJobRoute, createJobRoute, estimateJobRoute, getJobRoute, jobActivityRoute, listJobsRoute } from './jobs.js';
import { claimRoute, heartbeatRoute, submitResultRoute } from './leases.js';
import { listTrustedKeysRoute, setTrustedKeyRoute } from './trusted-keys.js';
import { answerDisputeRoute, getDisputeRoute, pollDisputesRoute, refereeDisputeRoute } from './disputes.js';
import { claimMailboxRoute, postMailRoute, releaseMailboxRoute, takeMailRoute } from './mesh-mailboxes.js';
import { mintRoute } from './mint.js';
import { redemptionRoute, stakeRoute, unstakeRoute } from './stakes.js';
import { taskResultRoute } from './task-result.js';
import { createTrainSessionRoute, getTrainSessionRoute, trainReceiptRoute, updateTrainSessionRoute } from './train-sessions.js';

/**
 * Every API route, one per endpoint of src/lib/protocol/endpoints.ts (routes.test.ts checks it).
 * Order matters only where paths overlap (estimate before :id).
 */
export const ROUTES: readonly Route[] = [
	infoRoute,
	healthRoute,
	reconcileRoute,
	accountRoute,
	contributionRoute,
	holdingsRoute,
	entriesRoute,
	trustRoute,
	demoGrantRoute,
	stakeRoute,
	unstakeRoute,
	redemptionRoute,
	mintRoute,
	estimateJobRoute,
	createJobRoute,
	listJobsRoute,
	jobEventsRoute,
	taskResultRoute,
	jobActivityRoute,
	jobEvidenceRoute,
	getJobRoute,
	cancelJobRoute,
	claimRoute,
	heartbeatRoute,
	submitResultRoute,
	listTrustedKeysRoute,
	setTrustedKeyRoute,
	pollDisputesRoute,
	getDisputeRoute,
	answerDisputeRoute,
	refereeDisputeRoute,
	createTrainSessionRoute,
	getTrainSessionRoute,
	trainReceiptRoute,
	updateTrainSessionRoute,
	claimMailboxRoute,
	releaseMailboxRoute,
	takeMailRoute,
	postMailRoute
];
