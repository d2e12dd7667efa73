// Creates a release in the Release Orchestrator gateway from a GitHub Actions job.
//
// Runner contract, through @actions/core (https://github.com/actions/toolkit/tree/main/packages/core):
// - each `with:` input arrives as the environment variable INPUT_<NAME>, the name upper-cased
//   with spaces replaced by '_' and hyphens kept (INPUT_STELLA-URL); core.getInput reads it
//   (https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax#inputsinput_id);
// - outputs are appended to the file named by GITHUB_OUTPUT; core.setOutput writes them
//   (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#setting-an-output-parameter);
// - core.getIDToken asks the runner for an OIDC ID token at ACTIONS_ID_TOKEN_REQUEST_URL with
//   ACTIONS_ID_TOKEN_REQUEST_TOKEN, which exist only when the job has `permissions: id-token: write`
//   (https://docs.github.com/en/actions/reference/security/oidc).
import * as core from '@actions/core';
import * as inputs from './inputs.js';
import { createRelease } from './gateway.js';

const USER_AGENT = 'stella-create-release-action/1';

async function run() {
  const base = inputs.gatewayBase(core.getInput('stella-url', { required: true }));
  const body = {
    name: inputs.releaseName(core.getInput('release-name', { required: true })),
    components: inputs.components(core.getInput('components', { required: true })),
  };
  const sourceRef = inputs.sourceRef(core.getInput('source-ref'));
  if (sourceRef) {
    body.sourceRef = sourceRef;
  }
  const metadata = runMetadata(process.env);
  if (metadata) {
    body.metadata = metadata;
  }
  const token = await bearerToken();
  const { release, replayed } = await createRelease({
    base,
    token,
    idempotencyKey: inputs.idempotencyKey(core.getInput('idempotency-key'), body.name),
    body,
    userAgent: USER_AGENT,
  });
  const releaseUrl = `${base}/api/v1/releases/${encodeURIComponent(release.id)}`;
  core.setOutput('release-id', release.id);
  core.setOutput('release-name', release.name);
  core.setOutput('release-url', releaseUrl);
  core.info(`${replayed ? 'Release already created by this idempotency key' : 'Created release'}`
    + ` ${release.name} (${release.id}): ${releaseUrl}`);
  for (const c of release.components ?? []) {
    core.info(`  ${c.componentName}: ${c.imageRef}`);
  }
}

/**
 * stella-token when given; otherwise the job's OIDC ID token for stella-audience, which the
 * gateway accepts through a CI trust policy. Either way it is masked in the log.
 */
async function bearerToken() {
  const given = core.getInput('stella-token');
  if (given) {
    core.setSecret(given);
    return given;
  }
  if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL || !process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new inputs.InputError('stella-token is empty and this job cannot request an OIDC token: '
      + 'add `permissions: id-token: write` to the job (or the workflow), or set stella-token');
  }
  const audience = core.getInput('stella-audience') || undefined;
  let token;
  try {
    token = await core.getIDToken(audience);
  } catch (e) {
    throw new Error(`could not get an OIDC token from the runner: ${e.message}`);
  }
  core.setSecret(token);
  return token;
}

/**
 * Where the release came from, from the runner's default variables; none outside a runner.
 * Nothing in it changes when the run is re-run, so a re-run sending the same idempotency key
 * sends the same body.
 */
function runMetadata(env) {
  if (!env.GITHUB_RUN_ID) {
    return undefined;
  }
  const metadata = { buildId: env.GITHUB_RUN_ID, triggeredBy: 'github-actions' };
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY) {
    metadata.buildUrl = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  return metadata;
}

run().catch((e) => core.setFailed(e.message));
