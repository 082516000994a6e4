// Prepared statements for PGlite. `PGlite.query` parses, describes and plans every statement
// anew in six protocol round trips; the relay runs the same few dozen statements thousands of
// times a second, so it parses each text once as a named statement and then sends one
// Bind + Execute + Sync per call (a third of the time on a trivial query, and no re-planning
// of the claim statement). Callers must hold PGlite's exclusive lock (`runExclusive`).
import { protocol, types, type PGlite } from '@electric-sql/pglite';

/** Named statements kept per connection; the least recently used one is closed beyond this. */
const PREPARED_STATEMENTS_MAX = 512;

/** Postgres refuses a cached statement whose result type changed (after DDL): re-prepare once. */
const CACHED_PLAN_CHANGED = '0A000';

interface Field {
	name: string;
	dataTypeID: number;
}

interface Prepared {
	name: string;
	paramTypes: number[];
	fields: Field[];
}

type Message = { name: string } & Record<string, unknown>;

function concat(parts: readonly Uint8Array[]): Uint8Array {
	let length = 0;
	for (const p of parts) length += p.length;
	const out = new Uint8Array(length);
	let offset = 0;
	for (const p of parts) {
		out.set(p, offset);
		offset += p.length;
	}
	return out;
}

export class PgliteStatements {
	/** Insertion order is recency order: a hit is deleted and set again. */
	private readonly prepared = new Map<string, Prepared>();
	private nextId = 0;

	constructor(
		private readonly pg: PGlite,
		private readonly max = PREPARED_STATEMENTS_MAX
	) {}

	/**
	 * Runs one statement and returns its rows, parsed with PGlite's own type parsers. A statement
	 * without parameters goes through the simple protocol (DDL, BEGIN, VACUUM); one with
	 * parameters through a named prepared statement.
	 */
	async run<Row>(text: string, params: readonly unknown[], syncToFs: boolean): Promise<Row[]> {
		if (params.length === 0) return this.rows<Row>((await this.pg.execProtocol(protocol.serialize.query(text), { syncToFs })).messages, []);
		try {
			return await this.execute<Row>(text, params, syncToFs);
		} catch (err) {
			if ((err as { code?: unknown }).code !== CACHED_PLAN_CHANGED || !this.prepared.has(text)) throw err;
			await this.forget(text);
			return this.execute<Row>(text, params, syncToFs);
		}
	}

	/** Closes every named statement (before the connection closes, or to start afresh). */
	async clear(): Promise<void> {
		for (const text of [...this.prepared.keys()]) await this.forget(text);
	}

	private async execute<Row>(text: string, params: readonly unknown[], syncToFs: boolean): Promise<Row[]> {
		const st = await this.prepare(text);
		if (params.length !== st.paramTypes.length) {
			throw new RangeError(`statement takes ${st.paramTypes.length} parameters, got ${params.length}: ${text.slice(0, 80)}`);
		}
		const values = params.map((p, i) => {
			if (p === null || p === undefined) return null;
			const serializer = this.pg.serializers[st.paramTypes[i] as number];
			return serializer ? serializer(p) : String(p);
		});
		const { serialize } = protocol;
		const res = await this.pg.execProtocol(concat([serialize.bind({ statement: st.name, values }), serialize.execute({}), serialize.sync()]), { syncToFs });
		return this.rows<Row>(res.messages, st.fields);
	}

	private async prepare(text: string): Promise<Prepared> {
		const hit = this.prepared.get(text);
		if (hit) {
			this.prepared.delete(text);
			this.prepared.set(text, hit);
			return hit;
		}
		const name = `mycelia_${++this.nextId}`;
		const { serialize } = protocol;
		const res = await this.pg.execProtocol(concat([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]), {
			syncToFs: false
		});
		const messages = res.messages as unknown as Message[];
		const params = messages.find((m) => m.name === 'parameterDescription') as { dataTypeIDs?: number[] } | undefined;
		const row = messages.find((m) => m.name === 'rowDescription') as { fields?: Field[] } | undefined;
		const st: Prepared = { name, paramTypes: params?.dataTypeIDs ?? [], fields: (row?.fields ?? []).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })) };
		this.prepared.set(text, st);
		while (this.prepared.size > this.max) {
			const oldest = this.prepared.keys().next().value as string;
			await this.forget(oldest);
		}
		return st;
	}

	private async forget(text: string): Promise<void> {
		const st = this.prepared.get(text);
		if (!st) return;
		this.prepared.delete(text);
		const { serialize } = protocol;
		await this.pg.execProtocol(concat([serialize.close({ type: 'S', name: st.name }), serialize.sync()]), { syncToFs: false });
	}

	/** DataRows after each RowDescription, text format, through PGlite's parsers. */
	private rows<Row>(messages: readonly unknown[], described: readonly Field[]): Row[] {
		let fields = described;
		const out: Row[] = [];
		for (const m of messages as Message[]) {
			if (m.name === 'rowDescription') fields = ((m as { fields?: Field[] }).fields ?? []).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID }));
			else if (m.name === 'dataRow') {
				const values = (m as { fields?: (string | null)[] }).fields ?? [];
				const row: Record<string, unknown> = {};
				for (let i = 0; i < fields.length; i++) {
					const f = fields[i] as Field;
					const v = values[i];
					row[f.name] = v === null || v === undefined ? null : types.parseType(v, f.dataTypeID, this.pg.parsers);
				}
				out.push(row as Row);
			}
		}
		return out;
	}
}
