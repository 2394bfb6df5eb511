// Builds the bundles of Node Flight Recorder.
//   node esbuild.js               development build (source maps)
//   node esbuild.js --production  minified, no source maps (what the .vsix ships)
//   node esbuild.js --watch       rebuild on change
//   node esbuild.js --only recorder,cli   build only these bundles
'use strict';
const fs = require('node:fs');
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// `--only recorder,cli` builds a subset (outfile base names), e.g. while another part is mid-edit.
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? (process.argv[onlyIndex + 1] ?? '').split(',') : null;

/** Prints build errors in the form VS Code's `$esbuild-watch` problem matcher reads. */
const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

/**
 * Recorder bundle only: imports of these Node built-ins are loaded on first use, not when the
 * bundle loads. The recorder is preloaded into every program, and these cost start-up time a
 * program never uses (node:inspector ~5 ms with the worker_threads and streams modules it pulls
 * in: only CPU sampling and snapshot points need it). Each import becomes an object with the
 * module's export names (listed at build time) as getters; the first read loads the module and
 * turns every getter into a plain property, so later reads cost what a direct import costs.
 */
const LAZY_BUILTINS = /^node:(inspector|worker_threads|net|os|module|async_hooks)$/;
const lazyBuiltinsPlugin = {
  name: 'lazy-builtins',
  setup(build) {
    build.onResolve({ filter: LAZY_BUILTINS }, (args) =>
      args.namespace === 'lazy-builtin' ? { path: args.path, external: true } : { path: args.path, namespace: 'lazy-builtin' });
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
      const names = Object.keys(require(args.path)).filter((name) => name !== 'default');
      const id = JSON.stringify(args.path);
      return {
        loader: 'js',
        contents: `'use strict';
const names = ${JSON.stringify(names)};
const lazy = {};
let real;
function load() {
  if (real === undefined) {
    real = require(${id});
    for (const name of names) Object.defineProperty(lazy, name, { value: real[name], writable: true, enumerable: true, configurable: true });
  }
  return real;
}
for (const name of names) Object.defineProperty(lazy, name, { get: () => load()[name], enumerable: true, configurable: true });
module.exports = lazy;
`,
      };
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [problemMatcherPlugin],
  legalComments: 'none',
};

/** @type {import('esbuild').BuildOptions[]} */
const targets = [
  {
    // Preloaded into user programs: zero runtime dependencies, node: built-ins only.
    // Always minified the same way (the start-up benchmark measures what ships), except for
    // its names: the recorder's functions show in every profile of a recorded program — its own
    // CPU samples, `--cpu-prof`, DevTools — and `rotateNow` says what `Ha` did not. Keeping them
    // cost +44 KB (97 → 141 KB) and no start-up time the benchmark could see (+11.7 and +14.7 ms
    // against +13.4 and +11.2 ms, alternated; the code cache holds the compiled code either way).
    // Development builds keep the linked source map as well.
    ...common,
    minify: false,
    minifyWhitespace: true,
    minifySyntax: true,
    entryPoints: ['src/recorder/index.ts'],
    outfile: 'dist/recorder-core.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [...common.plugins, lazyBuiltinsPlugin],
  },
  {
    // What programs preload: loads recorder-core.js above with V8's code cache
    // (src/recorder/load-with-code-cache.ts).
    ...common,
    minify: true,
    sourcemap: false,
    entryPoints: ['src/recorder/load-with-code-cache.ts'],
    outfile: 'dist/recorder.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    plugins: [
      ...common.plugins,
      {
        // One namespace object per external module (`vscode`, `node:*`) for the whole bundle.
        // Left to itself, esbuild turns every module's `import * as vscode from 'vscode'` (or
        // `* as fs from 'node:fs'`) into its own `__toESM(require(...))`, which copies the
        // module's properties once per importing module: two dozen copies of the vscode API's
        // few hundred properties at activation. Routing the imports through one ESM module per
        // external that re-exports it (and its `module.exports` as the default export) makes a
        // single copy, shared by every importer; a module only imported by lazily loaded code
        // (`import()`) is still only required then.
        name: 'one-namespace-per-external',
        setup(build) {
          build.onResolve({ filter: /^(vscode|node:.+)$/ }, (args) =>
            args.namespace === 'one-namespace' ? { path: args.path, external: true } : { path: args.path, namespace: 'one-namespace' },
          );
          build.onLoad({ filter: /.*/, namespace: 'one-namespace' }, (args) => ({ contents: `export * from ${JSON.stringify(args.path)}; export default require(${JSON.stringify(args.path)});`, loader: 'js' }));
        },
      },
    ],
  },
  {
    // The event summary's builder on a worker thread, started by dist/cli.js and
    // dist/extension.js (src/client/trace-summary.ts) from their own folder.
    ...common,
    entryPoints: ['src/client/summary-worker.ts'],
    outfile: 'dist/summary-worker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    // The inline trace's snapshot reader on a worker thread, started by dist/extension.js
    // (src/extension/inline/inline-items.ts) from its own folder.
    ...common,
    entryPoints: ['src/extension/inline/inline-worker.ts'],
    outfile: 'dist/inline-worker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/viewer/main.ts'],
    outfile: 'dist/viewer.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

async function main() {
  // `recorder` is both of its files: the entry and the core it loads.
  const selected = only ? targets.filter((t) => only.some((name) => t.outfile === `dist/${name}.js` || t.outfile === `dist/${name}-core.js`)) : targets;
  // dist/recorder.js was the whole recorder before it became a loader (no map of its own now):
  // a map left by an older build would mislead every tool that reads it.
  if (selected.some((t) => t.outfile === 'dist/recorder.js')) fs.rmSync('dist/recorder.js.map', { force: true });
  const contexts = await Promise.all(selected.map((options) => esbuild.context(options)));
  if (watch) {
    await Promise.all(contexts.map((ctx) => ctx.watch()));
    return;
  }
  try {
    await Promise.all(contexts.map((ctx) => ctx.rebuild()));
  } finally {
    await Promise.all(contexts.map((ctx) => ctx.dispose()));
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
