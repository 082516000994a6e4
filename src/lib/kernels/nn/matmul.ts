// Matrix products on row-major Float32Arrays, the CPU twin of matmul.wgsl: C (n×m) = op(A)·op(B)
// where op transposes when asked. Backward passes are these same products with the operands
// transposed (dA = dC·Bᵀ, dB = Aᵀ·dC), so one routine covers both directions.

export interface MatmulShape {
	n: number;
	k: number;
	m: number;
	/** A is stored k×n and used transposed. */
	transA?: boolean;
	/** B is stored m×k and used transposed. */
	transB?: boolean;
	/** Add into C instead of overwriting it (gradient accumulation). */
	accumulate?: boolean;
}

export function matmul(a: Float32Array, b: Float32Array, c: Float32Array, s: MatmulShape): Float32Array {
	const { n, k, m } = s;
	if (a.length < n * k || b.length < k * m || c.length < n * m) throw new RangeError(`matmul: buffers too small for ${n}×${k}·${k}×${m}`);
	if (!s.accumulate) c.fill(0, 0, n * m);
	if (!s.transA && !s.transB) {
		// i-p-j order: the inner loop walks rows of B and C contiguously.
		for (let i = 0; i < n; i++) {
			const ci = i * m;
			for (let p = 0; p < k; p++) {
				const av = a[i * k + p]!;
				if (av === 0) continue;
				const bp = p * m;
				for (let j = 0; j < m; j++) c[ci + j]! += av * b[bp + j]!;
			}
		}
	} else if (s.transA && !s.transB) {
		for (let p = 0; p < k; p++) {
			const ap = p * n;
			const bp = p * m;
			for (let i = 0; i < n; i++) {
				const av = a[ap + i]!;
				if (av === 0) continue;
				const ci = i * m;
				for (let j = 0; j < m; j++) c[ci + j]! += av * b[bp + j]!;
			}
		}
	} else if (!s.transA && s.transB) {
		for (let i = 0; i < n; i++) {
			const ai = i * k;
			for (let j = 0; j < m; j++) {
				const bj = j * k;
				let sum = 0;
				for (let p = 0; p < k; p++) sum += a[ai + p]! * b[bj + p]!;
				c[i * m + j]! += sum;
			}
		}
	} else {
		for (let i = 0; i < n; i++) {
			for (let j = 0; j < m; j++) {
				let sum = 0;
				for (let p = 0; p < k; p++) sum += a[p * n + i]! * b[j * k + p]!;
				c[i * m + j]! += sum;
			}
		}
	}
	return c;
}

/** Adds a bias row to every row of x (n×m). */
export function addBias(x: Float32Array, bias: Float32Array, n: number, m: number): void {
	for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) x[i * m + j]! += bias[j]!;
}

/** Sums the rows of dy (n×m) into dBias (accumulating). */
export function biasGrad(dy: Float32Array, dBias: Float32Array, n: number, m: number): void {
	for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) dBias[j]! += dy[i * m + j]!;
}
