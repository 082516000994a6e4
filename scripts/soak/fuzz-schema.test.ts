// The fuzz soak's schema walker: from a valid request and its protocol schema it must produce
// variants the relay refuses (nearly all of them), and among them the breaks issue 14 names:
// arrays for objects, unknown fields, NUL bytes, missing fields.
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { KERNELS } from '../../src/lib/kernels/registry.js';
import { ReceiptSchema } from '../../src/lib/protocol/auth.js';
import { DisputeAnswerSchema } from '../../src/lib/protocol/disputes.js';
import { CreateJobRequestSchema } from '../../src/lib/protocol/jobs.js';
import { ClaimRequestSchema } from '../../src/lib/protocol/leases.js';
import { TakeMailSchema } from '../../src/lib/protocol/mesh-mailbox.js';
import { RedemptionRequestSchema } from '../../src/lib/protocol/stakes.js';
import { CreateTrainSessionSchema, TrainReceiptSchema } from '../../src/lib/protocol/training.js';
import { acceptedBody, invalidVariants, overTheWire } from './fuzz-schema.js';

const KEY = 'a'.repeat(64);
const CASES: [string, v.GenericSchema, Record<string, unknown>][] = [
	[
		'claim with a device',
		ClaimRequestSchema,
		{
			maxTasks: 1,
			kernels: ['mandelbrot'],
			backend: 'cpu',
			commitments: [{ leaseId: 'lease-1', commitment: 'b'.repeat(64) }],
			device: { id: 'device-0001', label: 'laptop', cores: 4, memoryGb: 8, gpu: null, score: 10, kernels: [{ kernel: 'mandelbrot', cls: 0, backend: 'cpu', speed: 10 }] }
		}
	],
	['job with its spec', v.strictObject({ ...CreateJobRequestSchema.entries, spec: KERNELS.mandelbrot.specSchema }), { kernel: 'mandelbrot', spec: { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 64, height: 64, maxIter: 100, tile: 64 }, budgetMicro: 1_000, clientRef: 'abcdefgh' }],
	['training session', CreateTrainSessionSchema, { hostPeerId: 'host-peer-01', title: 'class', mode: 'funded', budgetMicro: 10, pricePerKTokenMicro: 1 }],
	['training receipt', TrainReceiptSchema, { round: 1, accepted: [{ worker: KEY, tokens: 5, update: { sha256: 'c'.repeat(64), signature: 'd'.repeat(128) } }], rejected: [{ worker: KEY.replace(/a/g, 'b'), update: { sha256: 'e'.repeat(64), signature: 'f'.repeat(128) } }] }],
	['redemption', RedemptionRequestSchema, { amountMicro: 5, destination: 'bank', ref: 'abcdefgh' }],
	['mailbox take', TakeMailSchema, { waitMs: 0 }],
	['result receipt', ReceiptSchema, { v: 1, taskId: 'j1:0', leaseId: 'lease-1', kernel: 'mandelbrot', kernelVersion: 1, sha256: 'c'.repeat(64), worker: KEY, signature: 'd'.repeat(128) }],
	['dispute answer', DisputeAnswerSchema, { index: 1, state: '00', proof: [] }],
	['empty body', v.strictObject({}), {}]
];
const SAMPLES = 400;

describe('invalid variants from the protocol schemas', () => {
	for (const [name, schema, valid] of CASES) {
		it(`${name}: nearly every variant is refused, and the refused ones include the breaks the issue names`, () => {
			expect(v.is(schema, valid), 'the valid request itself must pass').toBe(true);
			const arb = invalidVariants(schema, valid);
			expect(arb).not.toBeNull();
			const variants = fc.sample(arb as fc.Arbitrary<unknown>, { numRuns: SAMPLES, seed: 14 });
			const refused = variants.filter((x) => !acceptedBody(schema, overTheWire(x)));
			expect(refused.length / SAMPLES).toBeGreaterThan(0.9);
			const texts = refused.map((x) => JSON.stringify(x) ?? '');
			expect(refused.some(Array.isArray), 'an array for the object').toBe(true);
			expect(
				refused.some((x) => x !== null && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).some((k) => !(k in (schema as unknown as { entries: object }).entries))),
				'an unknown field'
			).toBe(true);
			const fields = Object.keys(valid);
			if (fields.length > 0) {
				if (fields.some((f) => JSON.stringify(valid[f]).includes('"'))) expect(texts.some((t) => t.includes('\\u0000')), 'a NUL byte in a string field').toBe(true);
				expect(
					refused.some((x) => x !== null && typeof x === 'object' && !Array.isArray(x) && fields.some((f) => !(f in x))),
					'a missing field'
				).toBe(true);
			}
		});
	}
});
