import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportBackup, importBackup, loadKeyFile, newIdentity, saveKeyFile } from './key-file.js';

const dir = mkdtempSync(join(tmpdir(), 'mycelia-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('key files', () => {
	it('saves a key readable by its owner only, loads it back, and never replaces one by accident', async () => {
		const path = join(dir, 'nested', 'key.json');
		const id = newIdentity();
		await saveKeyFile(path, id);
		expect(statSync(path).mode & 0o777).toBe(0o600);
		expect((await loadKeyFile(path)).publicKeyHex).toBe(id.publicKeyHex);
		await expect(saveKeyFile(path, newIdentity())).rejects.toThrow(/already exists/);
		expect((await loadKeyFile(path)).publicKeyHex).toBe(id.publicKeyHex);
	});

	it('refuses a missing, foreign or altered file in words', async () => {
		await expect(loadKeyFile(join(dir, 'none.json'))).rejects.toThrow(/no key file at .*npx mycelia key create/);
		const junk = join(dir, 'junk.json');
		writeFileSync(junk, 'hello');
		await expect(loadKeyFile(junk)).rejects.toThrow(/not JSON/);
		const path = join(dir, 'altered.json');
		await saveKeyFile(path, newIdentity());
		const json = JSON.parse(readFileSync(path, 'utf8')) as { publicKey: string };
		json.publicKey = newIdentity().publicKeyHex;
		writeFileSync(path, JSON.stringify(json));
		await expect(loadKeyFile(path)).rejects.toThrow(/holds another one/);
		writeFileSync(path, JSON.stringify({ ...json, extra: 1 }));
		await expect(loadKeyFile(path)).rejects.toThrow(/not a Mycelia key file/);
	});

	it("round-trips through the browser's passphrase-encrypted backup format", async () => {
		const id = newIdentity();
		const backup = await exportBackup(id, 'correct horse battery');
		expect(JSON.parse(backup)).toMatchObject({ format: 'mycelia-identity-backup', publicKey: id.publicKeyHex });
		expect((await importBackup(backup, 'correct horse battery')).publicKeyHex).toBe(id.publicKeyHex);
		await expect(importBackup(backup, 'wrong horse battery')).rejects.toThrow();
	});
});
