// `npm run bench -- ed25519 [seconds]`: ed25519 verifies per second on the relay's path
// (node:crypto, cached KeyObjects) against @noble/ed25519 in the same process, which is what
// the relay would cost if it verified with the browser's library.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { verifyEd25519 } from '../relay/auth/ed25519-verify.js';
import { report } from './report.js';

const KEYS = 64;

interface Sample {
	message: Uint8Array;
	signature: Uint8Array;
	publicKey: Uint8Array;
	publicKeyHex: string;
	signatureHex: string;
	keyObject: KeyObject;
}

async function perSecond(seconds: number, once: (i: number) => boolean | Promise<boolean>): Promise<number> {
	let n = 0;
	const end = performance.now() + seconds * 1000;
	const start = performance.now();
	while (performance.now() < end) {
		for (let k = 0; k < 50; k++, n++) if (!(await once(n))) throw new Error('a valid signature failed to verify');
	}
	return n / ((performance.now() - start) / 1000);
}

export async function main(args: string[]): Promise<void> {
	const seconds = Number(args[0] ?? 2);
	ed.hashes.sha512 = sha512; // lets noble's synchronous verify run, its fastest mode in Node
	const samples: Sample[] = [];
	for (let i = 0; i < KEYS; i++) {
		const secretKey = ed.utils.randomSecretKey();
		const message = utf8ToBytes(`mycelia-request/1\nhttp://127.0.0.1:8787\nPOST /api/v1/jobs\n${'ab'.repeat(32)}\n${i}\n${'cd'.repeat(16)}`);
		const signature = await ed.signAsync(message, secretKey);
		const publicKey = await ed.getPublicKeyAsync(secretKey);
		const keyObject = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]), format: 'der', type: 'spki' });
		samples.push({ message, signature, publicKey, publicKeyHex: bytesToHex(publicKey), signatureHex: bytesToHex(signature), keyObject });
	}
	const at = (i: number) => samples[i % KEYS]!;

	const noble = await perSecond(seconds, (i) => ed.verify(at(i).signature, at(i).message, at(i).publicKey));
	const nobleAsync = await perSecond(seconds, (i) => ed.verifyAsync(at(i).signature, at(i).message, at(i).publicKey));
	const node = await perSecond(seconds, (i) => verifyEd25519(at(i).publicKeyHex, at(i).message, at(i).signatureHex));
	// The floor under verifyEd25519: OpenSSL alone, no hex parsing or cache lookup.
	const raw = await perSecond(seconds, (i) => verify(null, at(i).message, at(i).keyObject, at(i).signature));
	report('ed25519', 'noble_verify_async_per_s', nobleAsync, 'verifies/s', { metric: 'noble_verify_per_s', value: noble });
	report('ed25519', 'node_crypto_verify_per_s', node, 'verifies/s', { metric: 'noble_verify_per_s', value: noble });
	report('ed25519', 'node_crypto_raw_verify_per_s', raw, 'verifies/s', { metric: 'node_crypto_verify_per_s', value: node });
}
