// GELU with the tanh approximation (as GPT-2), the CPU twin of gelu.wgsl.

const C = Math.sqrt(2 / Math.PI);
const A = 0.044715;

export function geluForward(x: Float32Array, y: Float32Array): void {
	for (let i = 0; i < x.length; i++) {
		const v = x[i]!;
		y[i] = 0.5 * v * (1 + Math.tanh(C * (v + A * v * v * v)));
	}
}

/** dx = dy · gelu'(x). */
export function geluBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void {
	for (let i = 0; i < x.length; i++) {
		const v = x[i]!;
		const u = C * (v + A * v * v * v);
		const t = Math.tanh(u);
		const du = C * (1 + 3 * A * v * v);
		dx[i] = dy[i]! * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du);
	}
}
