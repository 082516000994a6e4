// The shipped weights file: a magic, a JSON header (config, parameter count, SHA-256 of the
// payload, how it was made) and little-endian float32 parameters. Loading checks all of it, so
// a truncated or swapped download is an error, not a silently broken model.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import * as v from 'valibot';
import { baseLayout, ModelConfigSchema, type ModelConfig } from './model-config';

const MAGIC = 'MYCW';
/** Largest header accepted, in bytes. */
const HEADER_BYTES_MAX = 16_384;

const HeaderSchema = v.object({
	format: v.literal('mycelia-weights'),
	version: v.literal(1),
	config: ModelConfigSchema,
	params: v.pipe(v.number(), v.integer(), v.minValue(1)),
	sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
	/** How these weights were made (script, seed, corpus, steps, final loss): for people, not checked. */
	provenance: v.record(v.string(), v.union([v.string(), v.number()]))
});
export type WeightsHeader = v.InferOutput<typeof HeaderSchema>;

export function encodeWeights(config: ModelConfig, params: Float32Array, provenance: WeightsHeader['provenance']): Uint8Array {
	const payload = new Uint8Array(params.buffer, params.byteOffset, params.byteLength);
	const header: WeightsHeader = { format: 'mycelia-weights', version: 1, config, params: params.length, sha256: bytesToHex(sha256(payload)), provenance };
	const json = new TextEncoder().encode(JSON.stringify(header));
	// Pad the header so the float payload starts 4-byte aligned.
	const headerLen = Math.ceil(json.length / 4) * 4;
	const out = new Uint8Array(8 + headerLen + payload.length);
	out.set(new TextEncoder().encode(MAGIC), 0);
	new DataView(out.buffer).setUint32(4, headerLen, true);
	out.fill(0x20, 8, 8 + headerLen);
	out.set(json, 8);
	out.set(payload, 8 + headerLen);
	return out;
}

export function decodeWeights(bytes: Uint8Array): { header: WeightsHeader; params: Float32Array } {
	if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw new Error('not a Mycelia weights file');
	const headerLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
	if (headerLen > HEADER_BYTES_MAX || 8 + headerLen > bytes.length) throw new Error('weights file: header length out of range');
	const parsed = v.safeParse(HeaderSchema, JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen))));
	if (!parsed.success) throw new Error(`weights file: bad header (${parsed.issues[0]?.message})`);
	const header = parsed.output;
	const expected = baseLayout(header.config).size;
	if (header.params !== expected) throw new Error(`weights file: ${header.params} parameters, the model needs ${expected}`);
	const payload = bytes.slice(8 + headerLen);
	if (payload.length !== expected * 4) throw new Error(`weights file: payload is ${payload.length} bytes, expected ${expected * 4} (truncated?)`);
	if (bytesToHex(sha256(payload)) !== header.sha256) throw new Error('weights file: payload does not match its SHA-256');
	return { header, params: new Float32Array(payload.buffer, payload.byteOffset, expected) };
}
