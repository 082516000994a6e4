// Client hooks. A path no page matches is an expected answer (the not-found page says so), so it
// is not logged as an error; anything else is logged as SvelteKit's default hook does.
import type { HandleClientError } from '@sveltejs/kit';

export const handleError: HandleClientError = ({ error, status }) => {
	if (status !== 404) console.error(error);
};
