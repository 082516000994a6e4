// Builds the fine-tuning corpus the app ships (static/training/devils-dictionary.txt) from
// Debian's dict-devil, and reads Jane Austen's novels from r-cran-janeaustenr for pretraining.
// Both packages are public-domain texts. Install them (apt-get install dict-devil
// r-cran-janeaustenr) or unpack their .deb files under a folder and pass it as MYCELIA_DEB_ROOT.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { normalizeText } from '../../src/lib/train/tokenizer.js';
import { rdbCharacterVectors } from './r-strings.js';

const DEVIL = 'usr/share/dictd/devil.dict.dz';
const AUSTEN = 'usr/lib/R/site-library/janeaustenr/data/Rdata.rdb';

function find(rel: string, pkg: string): string {
	for (const root of [process.env.MYCELIA_DEB_ROOT, '/'].filter(Boolean) as string[]) {
		const p = join(root, rel);
		if (existsSync(p)) return p;
	}
	throw new Error(
		`${rel} not found. Install ${pkg} (apt-get install ${pkg}), or run: apt-get download ${pkg} && dpkg-deb -x ${pkg}_*.deb DIR, then MYCELIA_DEB_ROOT=DIR`
	);
}

/** The Devil's Dictionary: the entries from ABASEMENT to ZOOLOGY, without the dictd headers and preface. */
export function devilsDictionary(): string {
	const raw = gunzipSync(readFileSync(find(DEVIL, 'dict-devil'))).toString('latin1');
	const start = raw.indexOf('\nABASEMENT, n.');
	if (start < 0) throw new Error('dict-devil: the first entry was not found');
	// The source is hard-wrapped with indented verse: keep line breaks, drop trailing spaces.
	return normalizeText(raw.slice(start + 1)).replace(/[ ]+\n/g, '\n').trim() + '\n';
}

/** Jane Austen's six novels as one text, paragraphs separated by blank lines. */
export function austenNovels(): string {
	const books = rdbCharacterVectors(readFileSync(find(AUSTEN, 'r-cran-janeaustenr')));
	if (books.length !== 6) throw new Error(`janeaustenr: expected 6 novels, found ${books.length}`);
	return normalizeText(books.map((lines) => lines.join('\n')).join('\n\n\n'));
}
