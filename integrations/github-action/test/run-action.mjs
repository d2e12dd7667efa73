// Runs the bundled action (dist/index.js) the way a GitHub runner does: a child `node` process
// whose inputs are environment variables INPUT_<NAME> (upper-cased, spaces as '_', hyphens kept)
// and whose outputs are appended to the file named by GITHUB_OUTPUT, in the heredoc form
// name<<DELIMITER / value / DELIMITER.
// https://github.com/actions/toolkit/tree/main/packages/core (getInput, setOutput)
// https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#setting-an-output-parameter
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const actionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The environment variable the runner sets for input {@code name}. */
export function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * Runs dist/index.js with {@code inputs} (by input name) and {@code env} (runner variables) and
 * nothing inherited but PATH, so that no variable of the calling shell reaches the action.
 * Resolves to {code, stdout, stderr, outputs}.
 */
export async function runAction(inputs, env = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'stella-action-'));
  const outputFile = path.join(dir, 'github_output');
  await writeFile(outputFile, '');
  const childEnv = { PATH: process.env.PATH, GITHUB_OUTPUT: outputFile, ...env };
  for (const [name, value] of Object.entries(inputs)) {
    childEnv[inputVariable(name)] = value;
  }
  try {
    const { code, stdout, stderr } = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(actionDir, 'dist', 'index.js')],
        { env: childEnv, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (b) => { out += b; });
      child.stderr.on('data', (b) => { err += b; });
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
    });
    return { code, stdout, stderr, outputs: parseOutputs(await readFile(outputFile, 'utf8')) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** GITHUB_OUTPUT's heredoc entries: name<<DELIMITER, the value's lines, DELIMITER. */
export function parseOutputs(text) {
  const outputs = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!m) {
      continue;
    }
    const value = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) {
      value.push(lines[i]);
    }
    outputs[m[1]] = value.join('\n');
  }
  return outputs;
}

/**
 * The messages of the `::error::` workflow commands in {@code stdout}, unescaped (the toolkit
 * writes '%' as %25, CR as %0D and LF as %0A in a command's message).
 */
export function errorAnnotations(stdout) {
  return stdout.split('\n').filter((l) => l.startsWith('::error::'))
    .map((l) => l.slice('::error::'.length).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'));
}

/** What to print when an assertion about a run fails. */
export function describeRun(run) {
  return `exit ${run.code}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}--- outputs\n${JSON.stringify(run.outputs)}`;
}
