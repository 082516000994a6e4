// `npm run sim -- <name> [options]`: runs sim/<name>.ts against the real relay over HTTP and
// prints one JSON object a line.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
	.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !['run.ts'].includes(f) && !f.startsWith('sim-'))
	.map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !available.includes(name)) {
	console.error(`usage: npm run sim -- <name> [options]   (one of: ${available.join(', ')})`);
	process.exit(2);
}
const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { main(args: string[]): Promise<void> };
await mod.main(process.argv.slice(3));
