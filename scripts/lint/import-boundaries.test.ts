import { Linter } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importBoundaries } from './import-boundaries.js';

const root = path.resolve(import.meta.dirname, '../..');
const linter = new Linter();
const config = [{ files: ['**/*.ts'], plugins: { m: { rules: { boundaries: importBoundaries } } }, rules: { 'm/boundaries': 'error' as const } }];
/** The boundary messages for `code` placed at the root-relative `file`. */
const lint = (file: string, code: string) =>
	linter.verify(code, config, path.join(root, file)).map((m) => m.message);

describe('import boundaries', () => {
	it('keeps relay code out of src, except in tests that start the real relay', () => {
		expect(lint('src/lib/mesh/a.ts', "import { x } from '../../../relay/server.js';")).toEqual([
			'src never imports relay (only tests may start the real relay): src/lib/mesh/a.ts imports relay/server.js'
		]);
		expect(lint('src/routes/jobs/b.ts', "export { y } from '../../../relay/testing/api-client.js';")).toHaveLength(1);
		expect(lint('src/lib/client/c.test.ts', "import { startTestRelay } from '../../../relay/testing/test-relay.js';")).toEqual([]);
		// A folder merely named like relay inside src is not the relay.
		expect(lint('src/lib/mesh/a.ts', "import { x } from './relay-client.js';")).toEqual([]);
	});

	it('keeps kernels below mesh, contributor, client and routes, by relative path or $lib', () => {
		expect(lint('src/lib/kernels/mc-pi/meta.ts', "import { x } from '../../mesh/peer.js';")).toHaveLength(1);
		expect(lint('src/lib/kernels/mc-pi/meta.ts', "import { x } from '$lib/contributor/loop.js';")).toHaveLength(1);
		expect(lint('src/lib/kernels/mc-pi/meta.ts', "const m = import('$lib/client/index.js');")).toHaveLength(1);
		expect(lint('src/lib/kernels/mc-pi/meta.ts', "import { x } from '../../../routes/jobs/view.js';")).toHaveLength(1);
		expect(lint('src/lib/kernels/mc-pi/meta.ts', "import { x } from '../../verify/merkle.js'; import * as v from 'valibot';")).toEqual([]);
	});

	it('lets protocol import only protocol, kernels and libraries', () => {
		expect(lint('src/lib/protocol/jobs.ts', "import { x } from '../kernels/registry.js'; import * as v from 'valibot'; import { y } from './limits.js';")).toEqual([]);
		expect(lint('src/lib/protocol/jobs.ts', "import { x } from '../verify/hash.js';")).toEqual([
			'protocol imports only protocol, kernels (spec schemas) and libraries: src/lib/protocol/jobs.ts imports src/lib/verify/hash.js'
		]);
		expect(lint('src/lib/protocol/jobs.ts', "import { x } from '$lib/mesh/peer.js';")).toHaveLength(1);
		// protocol-extra is not protocol: prefixes are whole folders.
		expect(lint('src/lib/protocol/jobs.ts', "import { x } from '../protocol-extra/a.js';")).toHaveLength(1);
	});
});
