// npx tsx scripts/training/write-corpora.ts: writes the shipped fine-tuning corpus.
import { mkdirSync, writeFileSync } from 'node:fs';
import { devilsDictionary } from './make-corpora.js';

mkdirSync('static/training', { recursive: true });
const text = devilsDictionary();
writeFileSync('static/training/devils-dictionary.txt', text);
console.log(`static/training/devils-dictionary.txt: ${text.length} characters`);
