// ESLint rule: which folders may import which, checked on the resolved path of every import
// (relative or `$lib/…`), so `../../mesh/x` and `$lib/mesh/x` are the same import.
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const isTest = (file) => /\.test\.ts$/.test(file);

/** Each boundary: files it covers (root-relative prefix), and the folders they must not import. */
const BOUNDARIES = [
	// The bundle never contains relay or ledger code. Tests may start the real relay.
	{ from: 'src/', skip: isTest, forbidden: ['relay/'], why: 'src never imports relay (only tests may start the real relay)' },
	{ from: 'src/lib/kernels/', forbidden: ['src/lib/mesh/', 'src/lib/relay-api/', 'src/lib/state/', 'src/lib/contributor/', 'src/lib/client/', 'src/routes/'], why: 'kernels never import mesh, relay-api, state, contributor, client or routes' },
	// Protocol types are shared by relay and browser: they import only protocol, kernels (spec schemas) and libraries.
	{ from: 'src/lib/protocol/', allowed: ['src/lib/protocol/', 'src/lib/kernels/'], why: 'protocol imports only protocol, kernels (spec schemas) and libraries' }
];

/** The root-relative path an import names, or null for a library. */
function resolveImport(source, fromFile) {
	let target;
	if (source === '$lib' || source.startsWith('$lib/')) target = path.join(root, 'src/lib', source.slice(4));
	else if (source.startsWith('.')) target = path.resolve(path.dirname(fromFile), source);
	else return null;
	return path.relative(root, target).split(path.sep).join('/');
}

function boundaryViolation(source, fromFile) {
	const file = path.relative(root, fromFile).split(path.sep).join('/');
	const target = resolveImport(source, fromFile);
	if (target === null) return null;
	const under = (dir) => target === dir.slice(0, -1) || target.startsWith(dir);
	for (const b of BOUNDARIES) {
		if (!file.startsWith(b.from) || b.skip?.(file)) continue;
		if (b.forbidden?.some(under) || (b.allowed && !b.allowed.some(under))) return `${b.why}: ${file} imports ${target}`;
	}
	return null;
}

/** @type {import('eslint').Rule.RuleModule} */
export const importBoundaries = {
	meta: { type: 'problem', docs: { description: 'folder import boundaries' }, schema: [] },
	create(context) {
		const check = (node) => {
			if (!node.source || typeof node.source.value !== 'string') return;
			const message = boundaryViolation(node.source.value, context.filename);
			if (message) context.report({ node: node.source, message });
		};
		return {
			ImportDeclaration: check,
			ExportNamedDeclaration: check,
			ExportAllDeclaration: check,
			ImportExpression: check
		};
	}
};
