// What the header shows about this tab's contribution on every page, kept apart from the
// contributor itself so that pages which never contribute do not load its workers and PeerJS.
class ContributionStatus {
	/** This tab has joined the mesh. */
	active = $state(false);
	/** Results uploaded this session. */
	tasksDone = $state(0);
}

export const contributionStatus = new ContributionStatus();
