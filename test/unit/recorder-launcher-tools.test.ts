import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLauncherProcess } from '../../src/recorder/launcher-tools';

test('package manager and runner CLIs are recognised, programs are not', () => {
  for (const script of [
    '/usr/lib/node_modules/npm/bin/npm-cli.js',
    '/usr/bin/npm',
    '/usr/local/bin/npx',
    '/srv/app/node_modules/.bin/tsx',
    '/usr/lib/node_modules/npm/bin/npx-cli.js',
    '/home/u/.cache/node/corepack/v1/pnpm/9.0.0/bin/pnpm.cjs',
    '/usr/lib/node_modules/yarn/bin/yarn.js',
    '/srv/app/node_modules/tsx/dist/cli.mjs',
    'C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js',
  ]) assert.equal(isLauncherProcess(['node', script]), true, script);
  for (const script of ['/srv/app/server.js', '/srv/app/npm-helper.js', '/srv/app/dist/cli.js', '/srv/yarn-app/index.js', undefined]) {
    assert.equal(isLauncherProcess(script === undefined ? ['node'] : ['node', script]), false, String(script));
  }
});
