// One WebGPU device per compute worker, shared by every kernel's runner, and the limits a device
// advertises to the relay.

/** The device limits that size GPU work, as a device advertises them to the relay. */
export interface GpuLimits {
	maxBufferSize: number;
	maxStorageBufferBindingSize: number;
	maxComputeInvocationsPerWorkgroup: number;
	maxComputeWorkgroupsPerDimension: number;
}

export interface GpuHandle {
	device: GPUDevice;
	adapterInfo: { vendor: string; architecture: string; description: string; limits: GpuLimits };
}

/** A WebGPU device and what the adapter says it is, or null when WebGPU or an adapter is missing. */
export async function requestGpu(): Promise<GpuHandle | null> {
	const gpu = typeof navigator === 'undefined' ? undefined : navigator.gpu;
	if (!gpu) return null;
	const adapter = await gpu.requestAdapter();
	if (!adapter) return null;
	const device = await adapter.requestDevice();
	const info = adapter.info;
	const l = device.limits;
	const limits: GpuLimits = {
		maxBufferSize: l.maxBufferSize,
		maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
		maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
		maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension
	};
	return { device, adapterInfo: { vendor: info.vendor, architecture: info.architecture, description: info.description, limits } };
}
