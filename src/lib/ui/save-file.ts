/** How long the object URL outlives the click: some browsers start the download after click() returns. */
const REVOKE_AFTER_MS = 60_000;

/** Saves `data` as a download named `name` (the page's "Download" buttons). */
export function saveFile(data: Blob | BlobPart, name: string, mediaType = 'application/octet-stream'): void {
	const blob = data instanceof Blob ? data : new Blob([data], { type: mediaType });
	const url = URL.createObjectURL(blob);
	const a = document.createElement('a');
	a.href = url;
	a.download = name;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}
