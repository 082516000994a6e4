// Which page shows a job of each kernel: per-kernel Svelte components, looked up by id. A
// registered kernel with no page here is shown by generic-job.svelte from its requester side.
import type { Component } from 'svelte';
import type { KernelId } from '$lib/kernels/registry';
import MandelbrotJob from './mandelbrot-job.svelte';
import McPiJob from './mc-pi-job.svelte';

const JOB_VIEWS: Partial<Record<KernelId, Component<{ jobId: string }>>> = {
	mandelbrot: MandelbrotJob,
	'mc-pi': McPiJob
};

export function jobView(kernel: string): Component<{ jobId: string }> | undefined {
	return Object.hasOwn(JOB_VIEWS, kernel) ? JOB_VIEWS[kernel as KernelId] : undefined;
}
