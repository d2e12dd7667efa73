// dist/index.js is what the runner executes, so it is committed; this fails when it was not
// rebuilt after a change to src/, the dependencies or the build options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from '../build.mjs';
import { actionDir } from './run-action.mjs';

test('the committed dist/index.js is the bundle npm run build makes from the sources', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'stella-action-build-'));
  try {
    const fresh = path.join(dir, 'index.js');
    await build(fresh);
    const committed = await readFile(path.join(actionDir, 'dist', 'index.js'), 'utf8');
    assert.ok(committed === await readFile(fresh, 'utf8'),
      'dist/index.js is stale: run `npm run build` in integrations/github-action and commit dist/');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
