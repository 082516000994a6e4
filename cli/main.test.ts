// The CLI run in-process on captured streams: what goes to stdout (one JSON object with --json)
// and stderr, exit codes for usage errors, and the key commands on real files.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from './commands.js';
import { main } from './main.js';

const dir = mkdtempSync(join(tmpdir(), 'mycelia-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sink(): Writable & { text: string } {
	const w = new Writable({
		write(chunk: Buffer, _enc, done) {
			w.text += chunk.toString();
			done();
		}
	}) as Writable & { text: string };
	w.text = '';
	return w;
}

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
	const stdout = sink();
	const stderr = sink();
	const code = await main(argv, { stdout, stderr, stdin: process.stdin }, { HOME: dir, ...env });
	return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('mycelia (in-process)', () => {
	it('lists every command in --help, and the exit codes', async () => {
		const { code, stdout } = await run(['--help']);
		expect(code).toBe(0);
		for (const c of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${c.name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
		// …and nothing else: the Commands section has one line per command in the table.
		const section = stdout.split('Commands:\n')[1]?.split('\n\n')[0] ?? '';
		expect(section.split('\n')).toHaveLength(COMMANDS.length);
		expect(stdout).toMatch(/^ {2}3 {2}the relay could not be reached/m);
		expect((await run(['submit', '--help'])).stdout).toMatch(/^ {2}sum-squares +Sum of squares.*--from --to --chunk$/m);
	});

	it('answers a usage error with exit 2, words on stderr and, with --json, one JSON object on stdout', async () => {
		const plain = await run(['submit', 'no-such-kernel']);
		expect(plain).toMatchObject({ code: 2, stdout: '' });
		expect(plain.stderr).toBe('mycelia: unknown kernel "no-such-kernel"; the kernels are mandelbrot, mc-pi, sum-squares\n');
		const json = await run(['submit', 'no-such-kernel', '--json']);
		expect(json.code).toBe(2);
		expect(JSON.parse(json.stdout)).toEqual({ ok: false, error: { code: 'unknown_kernel', message: expect.stringMatching(/unknown kernel/) }, exit: 2 });
		expect(json.stdout.trim().split('\n')).toHaveLength(1);
		expect((await run(['status'])).stderr).toMatch(/status needs a job id/);
		expect((await run(['key', 'rotate'])).stderr).toMatch(/key wants one of create, show, export, import, not "rotate"/);
	});

	it('says how to create a key when there is none', async () => {
		const missing = join(dir, 'none.json');
		const r = await run(['balance', '--key', missing]);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain(`no key file at ${missing}; create one with \`npx mycelia key create --key ${missing}\``);
		expect((await run(['grant'])).stderr).toContain(`no key file at ${join(dir, '.config', 'mycelia', 'key.json')}; create one with \`npx mycelia key create\``);
	});

	it('creates, shows, exports and imports a key in the browser backup format', async () => {
		const keyFile = join(dir, 'a.json');
		const created = await run(['key', 'create', '--key', keyFile, '--json']);
		expect(created.code).toBe(0);
		const { key } = JSON.parse(created.stdout) as { key: string };
		expect(key).toMatch(/^[0-9a-f]{64}$/);
		expect(statSync(keyFile).mode & 0o777).toBe(0o600);
		expect((await run(['key', 'create', '--key', keyFile])).stderr).toMatch(/already exists/);
		expect((await run(['key', 'show', '--key', keyFile])).stdout).toBe(`${key}\n`);

		const backup = join(dir, 'backup.json');
		expect((await run(['key', 'export', '--key', keyFile, '--out', backup])).stderr).toMatch(/a passphrase is needed: set MYCELIA_PASSPHRASE/);
		expect((await run(['key', 'export', '--key', keyFile, '--out', backup], { MYCELIA_PASSPHRASE: 'correct horse' })).code).toBe(0);
		expect(JSON.parse(readFileSync(backup, 'utf8'))).toMatchObject({ format: 'mycelia-identity-backup', publicKey: key });

		const wrong = await run(['key', 'import', backup, '--key', join(dir, 'b.json')], { MYCELIA_PASSPHRASE: 'wrong horse' });
		expect(wrong.code).toBe(2);
		expect(wrong.stderr).toMatch(/passphrase/i);
		const imported = await run(['key', 'import', backup, '--key', join(dir, 'b.json'), '--json'], { MYCELIA_PASSPHRASE: 'correct horse' });
		expect(imported.code).toBe(0);
		expect(JSON.parse(imported.stdout)).toEqual({ ok: true, key, file: join(dir, 'b.json') });
	});

	it('refuses a relay URL that is not one, and a relay that does not answer (exit 3)', async () => {
		const keyFile = join(dir, 'c.json');
		await run(['key', 'create', '--key', keyFile]);
		expect(await run(['balance', '--key', keyFile, '--relay', 'not a url'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/"not a url" is not a URL/) });
		expect(await run(['balance', '--key', keyFile], { MYCELIA_RELAY: 'http://127.0.0.1:9' })).toMatchObject({ code: 3, stderr: expect.stringMatching(/no Mycelia relay at http:\/\/127.0.0.1:9: the relay could not be reached/) });
	});
});
