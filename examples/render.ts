// From import to a verified PNG on disk in a few lines of the client API (`mycelia/client`):
//
//   npx mycelia key create         # once: your key (an account) in ~/.config/mycelia/key.json
//   npm start                      # a relay at http://127.0.0.1:8787 (or set MYCELIA_RELAY)
//   npx tsx examples/render.ts     # from the checkout: waits for the render, then writes render.png
//
// Someone must contribute while it waits: every tile is computed by two independent devices, so
// open the relay's Contribute page in a browser and in a private window (or on a phone). The
// result is written only once this program has checked the evidence itself: enough distinct
// keys signed each tile's bytes, and the bytes hash to what they signed.
import { homedir } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { Mycelia } from 'mycelia/client';

const mycelia = await Mycelia.connect({ relay: process.env.MYCELIA_RELAY ?? 'http://127.0.0.1:8787', keyFile: process.env.MYCELIA_KEY ?? `${homedir()}/.config/mycelia/key.json` });
const { balanceMicro, starterMicro } = await mycelia.balance();
if (balanceMicro + starterMicro === 0) await mycelia.grant();
const job = await mycelia.submit('mandelbrot', { centerRe: '-0.743643887037151', centerIm: '0.131825904205330', zoom: '180', width: 640, height: 480, maxIter: 1500 });
const { rendered, evidence } = await job.result({ onProgress: (p) => console.error(`${p.tasksDone} / ${p.tasks} tiles verified`) });
await writeFile('render.png', rendered.bytes);
console.log(`render.png: ${rendered.summary}, agreed on by ${evidence.keys.length} keys`);
