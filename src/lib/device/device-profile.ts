// What this device advertises with each claim: a stable id, a readable label, cores, memory
// class, its WebGPU adapter's limits, and what it measured (kernel-trials.ts): a speed for every
// kernel's every cost class on the backend it runs there, plus one overall score.
import type { Device } from '$lib/protocol';
import type { InitResult } from '$lib/worker/compute-worker';
import { kernelSpeeds, type KernelTrial } from './kernel-trials';

export { deviceScore } from './kernel-trials';

/** "Chrome on Linux", from what the browser tells (User-Agent Client Hints where it has them). */
function deviceLabel(nav: Navigator = navigator): string {
	const hints = (nav as Navigator & { userAgentData?: { brands?: { brand: string }[]; platform?: string } }).userAgentData;
	const ua = nav.userAgent;
	const brand = hints?.brands?.map((b) => b.brand).find((b) => !/not.a.brand|chromium/i.test(b)) ?? (/Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser');
	const platform = hints?.platform || (/Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : 'unknown OS');
	return `${brand} on ${platform}`.slice(0, 64);
}

export function deviceProfile(id: string, init: InitResult, score: number, trials: readonly KernelTrial[]): Device {
	const nav = navigator as Navigator & { deviceMemory?: number };
	const limits = init.adapter?.limits;
	return {
		id,
		label: deviceLabel(),
		cores: Math.max(1, Math.min(1024, nav.hardwareConcurrency || 1)),
		memoryGb: typeof nav.deviceMemory === 'number' ? nav.deviceMemory : 0,
		gpu:
			init.adapter && limits
				? {
						vendor: init.adapter.vendor.slice(0, 64),
						architecture: init.adapter.architecture.slice(0, 64),
						maxBufferSize: limits.maxBufferSize,
						maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
						maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
						maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension
					}
				: null,
		score,
		kernels: kernelSpeeds(trials)
	};
}
