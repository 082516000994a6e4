// Reads the character vectors in an R lazy-load database (`Rdata.rdb`, as CRAN packages ship
// their data): a run of zlib blobs, each an XDR-serialized R object. Only what janeaustenr's
// novels need: a STRSXP of CHARSXPs; anything else is an error, never a guess.
import { inflateSync } from 'node:zlib';

const STRSXP = 16;
const CHARSXP = 9;

function readStrings(buf: Buffer): string[] {
	if (buf.subarray(0, 2).toString('latin1') !== 'X\n') throw new Error('not an XDR serialization');
	let off = 2;
	const int = () => {
		const v = buf.readInt32BE(off);
		off += 4;
		return v;
	};
	const version = int();
	int(); // writer's R version
	int(); // minimal reader version
	if (version === 3) {
		const nameLen = int(); // native encoding name follows
		off += nameLen;
	}
	const flags = int();
	if ((flags & 0xff) !== STRSXP) throw new Error(`expected a character vector, found type ${flags & 0xff}`);
	const length = int();
	const out: string[] = [];
	for (let i = 0; i < length; i++) {
		if ((int() & 0xff) !== CHARSXP) throw new Error('expected a string element');
		const n = int();
		if (n === -1) {
			out.push('');
			continue;
		}
		out.push(buf.subarray(off, off + n).toString('utf8'));
		off += n;
	}
	return out;
}

/** Every character vector in the database, in file order. */
export function rdbCharacterVectors(rdb: Buffer): string[][] {
	const out: string[][] = [];
	let off = 0;
	while (off < rdb.length) {
		const len = rdb.readUInt32BE(off);
		// Each blob: its inflated length, then a zlib stream; inflate tells us where it ends.
		const { buffer, engine } = inflateSync(rdb.subarray(off + 4), { info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
		if (buffer.length !== len) throw new Error('rdb blob length mismatch');
		out.push(readStrings(buffer));
		off += 4 + engine.bytesWritten;
	}
	return out;
}
