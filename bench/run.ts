// `npm run bench -- <name>`: runs bench/<name>.ts, which prints one JSON object a line:
// {"bench","metric","value","unit","baseline","ratio"}.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
	.filter((f) => f.endsWith('.ts') && !['run.ts', 'report.ts'].includes(f) && !f.endsWith('.test.ts'))
	.map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !available.includes(name)) {
	console.error(`usage: npm run bench -- <name>   (one of: ${available.join(', ')})`);
	process.exit(2);
}
const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { main(args: string[]): Promise<void> };
await mod.main(process.argv.slice(3));
