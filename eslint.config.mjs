// Lint rules, and the architecture's import directions made checkable:
// format imports nothing; recorder only node: (and format); viewer never node: or vscode;
// only extension touches vscode.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*'];
const noVscode = { name: 'vscode', message: 'Only src/extension may import vscode.' };

export default tseslint.config(
  {
    ignores: ['dist/**', 'out/**', 'node_modules/**', '.e2e/**', '.cache/**', '.tmp/**', 'media/**', '**/*.d.ts', 'test/**/fixtures/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly', process: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        setImmediate: 'readonly', Buffer: 'readonly', URL: 'readonly', performance: 'readonly', fetch: 'readonly',
        structuredClone: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', queueMicrotask: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/format/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', 'vscode', '../recorder/*', '../cli/*', '../client/*', '../extension/*', '../viewer/*'], message: 'src/format is the contract: it imports nothing.' },
      ] }],
    },
  },
  {
    files: ['src/recorder/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noVscode], patterns: [
        { regex: '^(?!node:|\\.)', message: 'The recorder has zero dependencies: node: built-ins only.' },
        { group: ['**/cli/**', '**/client/**', '**/extension/**', '**/viewer/**'], message: 'The recorder imports only node: built-ins and src/format.' },
      ] }],
    },
  },
  {
    files: ['src/viewer/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noVscode], patterns: [
        { group: [...nodeBuiltins, '../recorder/*', '../cli/*', '../client/*', '../extension/*'], message: 'The viewer runs in a browser: DOM and src/format only.' },
      ] }],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'src/client/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noVscode], patterns: [
        { group: ['../extension/*', '../viewer/*'], message: 'CLI and client do not depend on the extension or the viewer code.' },
      ] }],
    },
  },
);
