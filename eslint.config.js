// Lint gate (`npm test`): promises nobody awaits, and the import boundaries between folders.
// Type-aware, over the TypeScript files; .svelte files are left to svelte-check.
import tseslint from 'typescript-eslint';
import { importBoundaries } from './scripts/lint/import-boundaries.js';

export default tseslint.config(
	{ ignores: ['node_modules/', 'build/', '.svelte-kit/', 'data/', '.mycelia-data/', 'test-results/', '**/*.js', '**/*.mjs', '**/*.cjs'] },
	{
		files: ['**/*.ts'],
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: {
				// The browser side and the Node side are two programs with different libs and types.
				project: ['./tsconfig.json', './tsconfig.relay.json'],
				tsconfigRootDir: import.meta.dirname
			}
		},
		linterOptions: { reportUnusedDisableDirectives: 'error' },
		plugins: { '@typescript-eslint': tseslint.plugin, mycelia: { rules: { 'import-boundaries': importBoundaries } } },
		rules: {
			'@typescript-eslint/no-floating-promises': 'error',
			'@typescript-eslint/no-misused-promises': 'error',
			'mycelia/import-boundaries': 'error'
		}
	}
);
