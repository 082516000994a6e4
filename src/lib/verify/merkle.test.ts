import { createHash } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leafHash, merkleProof, merkleProofHex, merkleRoot, merkleRootHex, nodeHash, verifyMerkleProof, verifyMerkleProofHex } from './merkle.js';

function nodeSha(...parts: Uint8Array[]): string {
	const h = createHash('sha256');
	for (const p of parts) h.update(p);
	return h.digest('hex');
}

/** Power-of-two leaf sets (1..64 leaves) of 32-byte leaf hashes, with an index into them. */
const treeAndIndex = fc
	.integer({ min: 0, max: 6 })
	.chain((log) => fc.tuple(fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 2 ** log, maxLength: 2 ** log }), fc.nat(2 ** log - 1)));

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
	const out = bytes.slice();
	out[bit >>> 3]! ^= 1 << (bit & 7);
	return out;
}

describe('hashes', () => {
	it('prefix leaves with 0x00 and nodes with 0x01', () => {
		const a = new Uint8Array([1, 2, 3]);
		const b = new Uint8Array(32).fill(7);
		expect(bytesToHex(leafHash(a))).toBe(nodeSha(new Uint8Array([0]), a));
		expect(bytesToHex(nodeHash(a, b))).toBe(nodeSha(new Uint8Array([1]), a, b));
		expect(bytesToHex(leafHash(new Uint8Array(0)))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
	});

	it('build the root level by level, one leaf being its own root', () => {
		const l = [0, 1, 2, 3].map((i) => leafHash(new Uint8Array([i])));
		expect(merkleRoot([l[0]!])).toEqual(l[0]);
		expect(merkleRoot(l)).toEqual(nodeHash(nodeHash(l[0]!, l[1]!), nodeHash(l[2]!, l[3]!)));
		expect(merkleRootHex(l)).toBe(bytesToHex(merkleRoot(l)));
		expect(merkleProof(l, 2)).toEqual([l[3], nodeHash(l[0]!, l[1]!)]);
		expect(merkleProof([l[0]!], 0)).toEqual([]);
	});

	it('refuse trees that are not a power of two, leaves that are not hashes, bad indices', () => {
		const l = [0, 1, 2].map((i) => leafHash(new Uint8Array([i])));
		expect(() => merkleRoot([])).toThrow(RangeError);
		expect(() => merkleRoot(l)).toThrow(/power-of-two/);
		expect(() => merkleRoot([new Uint8Array(31)])).toThrow(RangeError);
		expect(() => merkleProof(l.slice(0, 2), 2)).toThrow(RangeError);
		expect(() => merkleProof(l.slice(0, 2), -1)).toThrow(RangeError);
		expect(() => merkleProof(l.slice(0, 2), 0.5)).toThrow(RangeError);
	});
});

describe('verifyMerkleProof', () => {
	it('accepts every proof of every leaf', () => {
		fc.assert(
			fc.property(treeAndIndex, ([leaves, index]) => {
				const root = merkleRoot(leaves);
				expect(verifyMerkleProof(root, index, leaves.length, leaves[index]!, merkleProof(leaves, index))).toBe(true);
				expect(verifyMerkleProofHex(bytesToHex(root), index, leaves.length, bytesToHex(leaves[index]!), merkleProofHex(leaves, index))).toBe(true);
			})
		);
	});

	it('rejects any flipped bit in the leaf, the proof or the root', () => {
		fc.assert(
			fc.property(treeAndIndex, fc.nat(), fc.nat(255), ([leaves, index], pick, bit) => {
				const root = merkleRoot(leaves);
				const leaf = leaves[index]!;
				const proof = merkleProof(leaves, index);
				expect(verifyMerkleProof(flipBit(root, bit), index, leaves.length, leaf, proof)).toBe(false);
				expect(verifyMerkleProof(root, index, leaves.length, flipBit(leaf, bit), proof)).toBe(false);
				if (proof.length > 0) {
					const k = pick % proof.length;
					const bad = proof.map((p, i) => (i === k ? flipBit(p, bit) : p));
					expect(verifyMerkleProof(root, index, leaves.length, leaf, bad)).toBe(false);
				}
			})
		);
	});

	it('rejects the proof at any other index (distinct leaves)', () => {
		fc.assert(
			fc.property(treeAndIndex, fc.nat(), ([leaves, index], shift) => {
				fc.pre(leaves.length > 1 && new Set(leaves.map(bytesToHex)).size === leaves.length);
				const other = (index + 1 + (shift % (leaves.length - 1))) % leaves.length;
				const root = merkleRoot(leaves);
				expect(verifyMerkleProof(root, other, leaves.length, leaves[index]!, merkleProof(leaves, index))).toBe(false);
			})
		);
	});

	it('is false, never a throw, on malformed input', () => {
		const leaves = [0, 1, 2, 3].map((i) => leafHash(new Uint8Array([i])));
		const root = merkleRoot(leaves);
		const proof = merkleProof(leaves, 1);
		const leaf = leaves[1]!;
		expect(verifyMerkleProof(root, 1, 4, leaf, proof)).toBe(true);
		const cases: [Uint8Array, number, number, Uint8Array, Uint8Array[]][] = [
			[root, 1, 4, leaf, proof.slice(1)], // too short
			[root, 1, 4, leaf, [...proof, proof[0]!]], // too long
			[root, 4, 4, leaf, proof], // index out of range
			[root, -1, 4, leaf, proof],
			[root, 1.5, 4, leaf, proof],
			[root, 1, 3, leaf, proof], // not a power of two
			[root, 1, 0, leaf, proof],
			[root, 1, 8, leaf, proof], // wrong count
			[root, 1, 2, leaf, proof],
			[root.slice(0, 31), 1, 4, leaf, proof],
			[root, 1, 4, new Uint8Array(33), proof],
			[root, 1, 4, leaf, [proof[0]!.slice(0, 16), proof[1]!]]
		];
		for (const [r, i, n, l, p] of cases) expect(verifyMerkleProof(r, i, n, l, p), `index ${i} of ${n}`).toBe(false);
		expect(verifyMerkleProof(root, 1, 4, leaf, 'nope' as unknown as Uint8Array[])).toBe(false);
		expect(verifyMerkleProofHex('zz', 1, 4, bytesToHex(leaf), proof.map(bytesToHex))).toBe(false);
		expect(verifyMerkleProofHex(bytesToHex(root).toUpperCase(), 1, 4, bytesToHex(leaf), proof.map(bytesToHex))).toBe(false);
		expect(verifyMerkleProofHex(bytesToHex(root), 1, 4, bytesToHex(leaf), [bytesToHex(proof[0]!), 42 as unknown as string])).toBe(false);
	});
});
