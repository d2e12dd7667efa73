// Builds dist/index.js, the file action.yml runs. The options are exported so that
// test/bundle.test.mjs can rebuild with exactly these and compare against the committed bundle.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(fileURLToPath(import.meta.url));

export const buildOptions = Object.freeze({
  absWorkingDir: root,
  entryPoints: ['src/index.js'],
  bundle: true,
  platform: 'node',
  // The runner's node24, and Node 20 (Debian's), both run this bundle.
  target: 'node20',
  // CommonJS needs no "type": "module" next to dist/index.js; @actions/core (ESM-only) is
  // converted while bundling.
  format: 'cjs',
  // Paths in the bundle's comments are relative to absWorkingDir, and nothing else varies
  // between builds, so the same sources give the same bytes.
  legalComments: 'eof',
  sourcemap: false,
  minify: false,
  logLevel: 'warning',
});

/** Writes the bundle to {@code outfile} (an absolute path or one relative to this directory). */
export async function build(outfile = 'dist/index.js') {
  await esbuild.build({ ...buildOptions, outfile });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await build();
}
