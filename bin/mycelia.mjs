#!/usr/bin/env node
// `npx mycelia …` in the checkout: the CLI is TypeScript (cli/main.ts), run through tsx's ESM
// loader so there is no build step between editing it and running it.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
