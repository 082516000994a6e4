// Binary Merkle trees over SHA-256 for `bisect` kernels: a worker commits to the root of its
// per-step state hashes, and a dispute is settled by opening single leaves against that root.
// Leaves and inner nodes carry different one-byte prefixes (RFC 6962), so a node can never be
// passed off as a leaf. Same bytes in browsers and Node.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;
/** Every leaf and node is a SHA-256 digest. */
const MERKLE_HASH_BYTES = 32;
/** Bound on a tree: far above any kernel's step count, and keeps index arithmetic in 31 bits. */
const MERKLE_LEAVES_MAX = 2 ** 20;

/** sha256(0x00 ‖ bytes): the leaf for one step's state bytes. */
export function leafHash(bytes: Uint8Array): Uint8Array {
	const buf = new Uint8Array(1 + bytes.length);
	buf[0] = LEAF_PREFIX;
	buf.set(bytes, 1);
	return sha256(buf);
}

/** sha256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
	const buf = new Uint8Array(1 + left.length + right.length);
	buf[0] = NODE_PREFIX;
	buf.set(left, 1);
	buf.set(right, 1 + left.length);
	return sha256(buf);
}

function isLeafCount(n: number): boolean {
	return Number.isSafeInteger(n) && n >= 1 && n <= MERKLE_LEAVES_MAX && (n & (n - 1)) === 0;
}

/** Every level from the leaves (level 0) up to the root (last level, one node). */
function levels(leaves: readonly Uint8Array[]): Uint8Array[][] {
	if (!isLeafCount(leaves.length)) throw new RangeError(`a Merkle tree needs a power-of-two number of leaves in 1..${MERKLE_LEAVES_MAX}, got ${leaves.length}`);
	for (const leaf of leaves) if (leaf.length !== MERKLE_HASH_BYTES) throw new RangeError(`every leaf must be a ${MERKLE_HASH_BYTES}-byte hash`);
	const out: Uint8Array[][] = [leaves.slice()];
	for (let level = out[0]!; level.length > 1; ) {
		const up: Uint8Array[] = [];
		for (let i = 0; i < level.length; i += 2) up.push(nodeHash(level[i]!, level[i + 1]!));
		out.push(up);
		level = up;
	}
	return out;
}

/** The root over 32-byte leaf hashes; their count must be a power of two. One leaf is its own root. */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
	const all = levels(leaves);
	return all[all.length - 1]![0]!;
}

/** The siblings on the path from leaf `index` to the root, leaf level first (log2(n) hashes). */
export function merkleProof(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
	const all = levels(leaves);
	if (!Number.isSafeInteger(index) || index < 0 || index >= leaves.length) throw new RangeError(`leaf index ${index} is outside 0..${leaves.length - 1}`);
	const proof: Uint8Array[] = [];
	for (let level = 0, i = index; level < all.length - 1; level++, i >>>= 1) proof.push(all[level]![i ^ 1]!);
	return proof;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
	return diff === 0;
}

/**
 * Whether `leaf` is leaf `index` of a `leafCount`-leaf tree with this root. Never throws: any
 * malformed input (bad count or index, proof of the wrong length, a hash not 32 bytes) is false.
 */
export function verifyMerkleProof(root: Uint8Array, index: number, leafCount: number, leaf: Uint8Array, proof: readonly Uint8Array[]): boolean {
	if (!isLeafCount(leafCount) || !Number.isSafeInteger(index) || index < 0 || index >= leafCount) return false;
	if (!Array.isArray(proof) || proof.length !== Math.log2(leafCount)) return false;
	if (!(root instanceof Uint8Array) || !(leaf instanceof Uint8Array) || root.length !== MERKLE_HASH_BYTES || leaf.length !== MERKLE_HASH_BYTES) return false;
	let node = leaf;
	let i = index;
	for (const sibling of proof) {
		if (!(sibling instanceof Uint8Array) || sibling.length !== MERKLE_HASH_BYTES) return false;
		node = (i & 1) === 0 ? nodeHash(node, sibling) : nodeHash(sibling, node);
		i >>>= 1;
	}
	return equalBytes(node, root);
}

/** `merkleRoot` as 64 lowercase hex characters (the wire form). */
export function merkleRootHex(leaves: readonly Uint8Array[]): string {
	return bytesToHex(merkleRoot(leaves));
}

/** `merkleProof` as hex strings. */
export function merkleProofHex(leaves: readonly Uint8Array[], index: number): string[] {
	return merkleProof(leaves, index).map(bytesToHex);
}

const HASH_HEX = /^[0-9a-f]{64}$/;

/** `verifyMerkleProof` on the hex wire form; false (never throws) on anything not 64 lowercase hex. */
export function verifyMerkleProofHex(rootHex: string, index: number, leafCount: number, leafHex: string, proofHex: readonly string[]): boolean {
	if (!Array.isArray(proofHex) || proofHex.length > 64) return false;
	const all = [rootHex, leafHex, ...proofHex];
	if (!all.every((h) => typeof h === 'string' && HASH_HEX.test(h))) return false;
	return verifyMerkleProof(hexToBytes(rootHex), index, leafCount, hexToBytes(leafHex), proofHex.map(hexToBytes));
}
