// Renders the Mycelia mark (the same drawing as static/favicon.svg) into the PWA's PNG icons
// with a tiny anti-aliased rasteriser, so the icons are reproducible without any image tool.
// Run: npx tsx scripts/make-icons.ts   (writes static/icon-192.png, icon-512.png, icon-maskable-512.png)
import { writeFileSync } from 'node:fs';
import { encode } from 'fast-png';

type Pt = [number, number];
/** The mark in a 64×64 design space: hyphae as cubic Béziers, nodes as discs. */
const CURVES: { p: [Pt, Pt, Pt, Pt]; width: number }[] = [
	{ p: [[32, 34], [26, 26], [18, 22], [12, 13]], width: 3.2 },
	{ p: [[32, 34], [38, 25], [45, 20], [52, 12]], width: 3.2 },
	{ p: [[32, 34], [24, 40], [17, 44], [10, 51]], width: 3.2 },
	{ p: [[32, 34], [40, 40], [47, 42], [55, 48]], width: 3.2 },
	{ p: [[32, 34], [31, 42], [33, 50], [32, 58]], width: 3.2 },
	{ p: [[20, 23], [16, 25], [11, 27], [6, 27]], width: 2.2 },
	{ p: [[44, 41], [47, 36], [52, 33], [58, 32]], width: 2.2 }
];
const DISCS: [number, number, number][] = [
	[32, 34, 6.5], [12, 13, 4], [52, 12, 4], [10, 51, 4], [55, 48, 4], [32, 58, 3.5], [6, 27, 2.6], [58, 32, 2.6]
];
const BG: [number, number, number] = [0x0f, 0x1a, 0x14];
const BG_GLOW: [number, number, number] = [0x17, 0x33, 0x29];
const FROM: [number, number, number] = [0x7a, 0xf0, 0xb8];
const TO: [number, number, number] = [0x1f, 0xb5, 0xa5];
const SEGMENTS = 48;

function bezier([a, b, c, d]: [Pt, Pt, Pt, Pt], t: number): Pt {
	const u = 1 - t;
	const w = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t] as const;
	return [w[0] * a[0] + w[1] * b[0] + w[2] * c[0] + w[3] * d[0], w[0] * a[1] + w[1] * b[1] + w[2] * c[1] + w[3] * d[1]];
}

const segments = CURVES.flatMap(({ p, width }) => {
	const pts = Array.from({ length: SEGMENTS + 1 }, (_, i) => bezier(p, i / SEGMENTS));
	return pts.slice(1).map((q, i) => ({ a: pts[i] as Pt, b: q, half: width / 2 }));
});

function segmentDistance(x: number, y: number, a: Pt, b: Pt): number {
	const dx = b[0] - a[0];
	const dy = b[1] - a[1];
	const t = Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / (dx * dx + dy * dy)));
	return Math.hypot(x - (a[0] + t * dx), y - (a[1] + t * dy));
}

/** Signed distance (design units) from the mark's edge; negative inside. */
function markDistance(x: number, y: number): number {
	let d = Infinity;
	for (const s of segments) d = Math.min(d, segmentDistance(x, y, s.a, s.b) - s.half);
	for (const [cx, cy, r] of DISCS) d = Math.min(d, Math.hypot(x - cx, y - cy) - r);
	return d;
}

function roundedSquareDistance(x: number, y: number, size: number, radius: number): number {
	const qx = Math.abs(x - size / 2) - (size / 2 - radius);
	const qy = Math.abs(y - size / 2) - (size / 2 - radius);
	return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

const mix = (a: number, b: number, t: number) => a + (b - a) * t;
const coverage = (d: number) => Math.max(0, Math.min(1, 0.5 - d));

/** `markScale`: the mark's share of the icon's side; `rounded`: transparent rounded corners. */
function render(size: number, markScale: number, rounded: boolean): Uint8Array {
	const data = new Uint8Array(size * size * 4);
	const unit = (size * markScale) / 64; // pixels per design unit
	const offset = (size - 64 * unit) / 2;
	for (let py = 0; py < size; py++) {
		for (let px = 0; px < size; px++) {
			const x = px + 0.5;
			const y = py + 0.5;
			const bgAlpha = rounded ? coverage(roundedSquareDistance(x, y, size, size * 0.22)) : 1;
			const glow = Math.max(0, 1 - Math.hypot(x - size / 2, y - size * 0.52) / (size * 0.55));
			let r = mix(BG[0], BG_GLOW[0], glow);
			let g = mix(BG[1], BG_GLOW[1], glow);
			let b = mix(BG[2], BG_GLOW[2], glow);
			const dx = (x - offset) / unit;
			const dy = (y - offset) / unit;
			const cover = coverage(markDistance(dx, dy) * unit);
			if (cover > 0) {
				const t = Math.max(0, Math.min(1, (dx + dy) / 128));
				r = mix(r, mix(FROM[0], TO[0], t), cover);
				g = mix(g, mix(FROM[1], TO[1], t), cover);
				b = mix(b, mix(FROM[2], TO[2], t), cover);
			}
			const i = (py * size + px) * 4;
			data[i] = Math.round(r);
			data[i + 1] = Math.round(g);
			data[i + 2] = Math.round(b);
			data[i + 3] = Math.round(255 * bgAlpha);
		}
	}
	return data;
}

function write(path: string, size: number, markScale: number, rounded: boolean): void {
	const png = encode({ width: size, height: size, data: render(size, markScale, rounded), channels: 4, depth: 8 });
	writeFileSync(path, png);
	console.log(`${path}: ${size}×${size}, ${png.length} bytes`);
}

const out = new URL('../static/', import.meta.url);
write(new URL('icon-192.png', out).pathname, 192, 0.74, true);
write(new URL('icon-512.png', out).pathname, 512, 0.74, true);
// Maskable: full-bleed background, mark inside the 80% safe circle.
write(new URL('icon-maskable-512.png', out).pathname, 512, 0.6, false);
write(new URL('apple-touch-icon.png', out).pathname, 180, 0.68, false);
