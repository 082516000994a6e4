// Where Debian's Chromium lives and how it must be launched here. Shared by the
// Vitest browser project, the end-to-end tests and the benches; nothing downloads a browser.
import { existsSync } from 'node:fs';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Path to Chromium, or a thrown error that says how to install it (never a silent skip). */
export function chromiumPath() {
	if (!existsSync(CHROMIUM_PATH)) {
		throw new Error(
			`Chromium not found at ${CHROMIUM_PATH}. Install Debian's chromium ` +
				`(apt-get install -y chromium) or set CHROMIUM_PATH. Browser tests cannot run without it.`
		);
	}
	return CHROMIUM_PATH;
}

/** @param {{ webgpu?: boolean }} [opts] */
export function chromiumArgs(opts = {}) {
	const args = [
		'--no-sandbox',
		'--disable-background-networking',
		'--disable-component-update',
		'--disable-sync',
		'--no-first-run',
		'--disable-features=WebRtcHideLocalIpsWithMdns'
	];
	if (opts.webgpu) args.push('--enable-unsafe-webgpu');
	return args;
}
