import * as v from 'valibot';
import { COST_CLASSES_MAX, DEVICE_KERNEL_SPEEDS_MAX } from './limits.js';
import { plainText } from './text.js';

export const BACKENDS = ['webgpu', 'cpu'] as const;
export type Backend = (typeof BACKENDS)[number];

/**
 * What a device measured for one cost class of one kernel (kernels/types.ts, "device fit"):
 * the backend it runs that class on (the faster of WebGPU and the CPU twin) and its speed there.
 */
const KernelSpeedSchema = v.strictObject({
	kernel: plainText(64, 1),
	cls: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(COST_CLASSES_MAX - 1)),
	backend: v.picklist(BACKENDS),
	/** Work units (micro-credits of task price) per second; 0: this device cannot run the class. */
	speed: v.pipe(v.number(), v.minValue(0), v.maxValue(1e12))
});
export type KernelSpeed = v.InferOutput<typeof KernelSpeedSchema>;

/** A WebGPU adapter as a device reports it: who made it and the limits that size GPU work. */
const GpuCapabilitiesSchema = v.strictObject({
	vendor: plainText(64),
	architecture: plainText(64),
	maxBufferSize: v.pipe(v.number(), v.minValue(0)),
	maxStorageBufferBindingSize: v.pipe(v.number(), v.minValue(0)),
	maxComputeInvocationsPerWorkgroup: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
	maxComputeWorkgroupsPerDimension: v.pipe(v.number(), v.safeInteger(), v.minValue(0))
});

/**
 * What a device advertises with each claim. `score` is its measured speed in work units per
 * second, where a work unit is what one micro-credit of task price pays for (every kernel prices
 * 1 µcr per 10,000 basic operations), so the relay can compare it with any task's price.
 */
export const DeviceSchema = v.strictObject({
	/** Random per browser profile, not secret: tells a key's devices apart. */
	id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/)),
	label: plainText(64),
	cores: v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(1024)),
	/** navigator.deviceMemory (GiB, coarse and capped by the browser); 0 when unknown. */
	memoryGb: v.pipe(v.number(), v.minValue(0), v.maxValue(4096)),
	gpu: v.nullable(GpuCapabilitiesSchema),
	score: v.pipe(v.number(), v.minValue(0), v.maxValue(1e12)),
	/** Speeds per kernel and cost class on the backend chosen for each; the relay fits leases to them. */
	kernels: v.optional(v.pipe(v.array(KernelSpeedSchema), v.maxLength(DEVICE_KERNEL_SPEEDS_MAX)))
});
export type Device = v.InferOutput<typeof DeviceSchema>;
