// A client-only app: the relay serves the static build and an index.html fallback.
export const ssr = false;
export const prerender = false;
