// base64url without padding (RFC 4648 §5), for header values. btoa/atob exist in browsers
// and Node 20; Uint8Array.toBase64 does not exist in Node 20 yet, hence this small pair.

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function bytesToBase64url(bytes: Uint8Array): string {
	let binary = '';
	for (const b of bytes) binary += String.fromCharCode(b);
	return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Throws on any character outside the base64url alphabet or on an impossible length. */
export function base64urlToBytes(text: string): Uint8Array {
	if (!BASE64URL.test(text) || text.length % 4 === 1) {
		throw new Error('not base64url (expected A-Z a-z 0-9 - _ with no padding)');
	}
	const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}
