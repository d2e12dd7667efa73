// The bundled action against a real gateway. GitHubActionTest (src/test/java/.../integrations)
// starts the gateway, a service account, a component and a local OIDC issuer playing the
// runner's token endpoint, and passes them in STELLA_TEST_* variables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { describeRun, errorAnnotations, runAction } from './run-action.mjs';

const env = process.env;
const gateway = env.STELLA_TEST_URL;
const skipGateway = gateway ? false : 'needs a gateway: run GitHubActionTest (mvn -B verify)';

const DIGEST = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
// Only digits: YAML's core schema would read it as a number and lose the leading zero.
const COMMIT = '0123456789012345678901234567890123456789';

/** The runner's default variables for a tag push of myorg/myapp. */
const RUNNER = {
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'myorg/myapp',
  GITHUB_RUN_ID: '6301876525',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SHA: COMMIT,
  GITHUB_REF_NAME: 'v1.2.0',
};

/** The inputs of the README's "Create Stella Release" step, as the runner evaluates them. */
function documentedInputs({ name = `myapp-v1.2.0-${randomUUID().slice(0, 8)}`, digest = DIGEST, commit = COMMIT } = {}) {
  return {
    'stella-url': `${gateway}/`,
    'stella-token': env.STELLA_TEST_TOKEN,
    'release-name': name,
    components: `- componentId: ${env.STELLA_TEST_COMPONENT_ID}\n  digest: ${digest}\n`,
    'source-ref': `type: git\nrepository: https://github.com/myorg/myapp\ncommit: ${commit}\ntag: v1.2.0\n`,
    'idempotency-key': `${RUNNER.GITHUB_RUN_ID}-${randomUUID()}`,
  };
}

async function api(method, path, token, body) {
  const response = await fetch(`${gateway}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

test('the documented workflow\'s inputs create the release and set release-id, release-name and release-url', { skip: skipGateway }, async () => {
  const inputs = documentedInputs();
  const run = await runAction(inputs, RUNNER);

  assert.equal(run.code, 0, describeRun(run));
  assert.equal(run.outputs['release-name'], inputs['release-name'], describeRun(run));
  assert.match(run.outputs['release-id'], /^[0-9a-f-]{36}$/, describeRun(run));
  assert.equal(run.outputs['release-url'], `${gateway}/api/v1/releases/${run.outputs['release-id']}`);
  const stored = await api('GET', `/releases/${run.outputs['release-id']}`, env.STELLA_TEST_ADMIN_TOKEN);
  assert.equal(stored.status, 200, JSON.stringify(stored.json));
  assert.equal(stored.json.data.name, inputs['release-name']);
  assert.equal(stored.json.data.components[0].componentId, env.STELLA_TEST_COMPONENT_ID);
  assert.equal(stored.json.data.components[0].digest, DIGEST);
  assert.deepEqual(stored.json.data.sourceRef,
    { ...stored.json.data.sourceRef, type: 'git', repository: 'https://github.com/myorg/myapp', commit: COMMIT, tag: 'v1.2.0' });
  assert.equal(stored.json.data.metadata.buildUrl, 'https://github.com/myorg/myapp/actions/runs/6301876525');
});

test('a release the gateway refuses fails the step with the gateway message and every validation error', { skip: skipGateway }, async () => {
  const inputs = documentedInputs({ digest: 'md5:0123', commit: 'not-a-commit' });
  const run = await runAction(inputs, RUNNER);

  assert.equal(run.code, 1, describeRun(run));
  assert.deepEqual(run.outputs, {}, describeRun(run));
  const refusal = await api('POST', '/releases', env.STELLA_TEST_TOKEN, {
    name: inputs['release-name'],
    components: [{ componentId: env.STELLA_TEST_COMPONENT_ID, digest: 'md5:0123' }],
    sourceRef: { type: 'git', repository: 'https://github.com/myorg/myapp', commit: 'not-a-commit', tag: 'v1.2.0' },
  });
  assert.equal(refusal.status, 400);
  const { message, validationErrors } = refusal.json.error;
  assert.equal(validationErrors.length, 2, JSON.stringify(refusal.json));
  const annotations = errorAnnotations(run.stdout);
  assert.equal(annotations.length, 1, describeRun(run));
  assert.ok(annotations[0].includes(message), `${message} missing from\n${describeRun(run)}`);
  for (const v of validationErrors) {
    assert.ok(annotations[0].includes(`${v.field}: ${v.message}`), `${v.field} missing from\n${describeRun(run)}`);
  }
});

test('the same idempotency key gives back the same release', { skip: skipGateway }, async () => {
  const inputs = documentedInputs();
  const first = await runAction(inputs, RUNNER);
  const second = await runAction(inputs, RUNNER);

  assert.equal(first.code, 0, describeRun(first));
  assert.equal(second.code, 0, describeRun(second));
  assert.equal(second.outputs['release-id'], first.outputs['release-id']);
  assert.match(second.stdout, /already created by this idempotency key/, describeRun(second));
  const another = await runAction({ ...inputs, 'idempotency-key': `${inputs['idempotency-key']}-2` }, RUNNER);
  assert.equal(another.code, 1, 'a new key is a new request, refused because the name is taken');
});

test('two releases created with the same idempotency key but different names are both created', { skip: skipGateway }, async () => {
  const api = documentedInputs();
  const web = { ...documentedInputs(), 'idempotency-key': api['idempotency-key'] };
  const first = await runAction(api, RUNNER);
  const second = await runAction(web, RUNNER);

  assert.equal(first.code, 0, describeRun(first));
  assert.equal(second.code, 0, describeRun(second));
  assert.notEqual(second.outputs['release-id'], first.outputs['release-id']);
  assert.equal(second.outputs['release-name'], web['release-name']);
});

test('stella-token is masked before anything else is written', { skip: skipGateway }, async () => {
  const run = await runAction(documentedInputs(), RUNNER);

  assert.equal(run.code, 0, describeRun(run));
  const lines = run.stdout.split('\n').filter((l) => l.includes(env.STELLA_TEST_TOKEN));
  assert.deepEqual(lines, [`::add-mask::${env.STELLA_TEST_TOKEN}`], describeRun(run));
  assert.ok(run.stdout.startsWith(`::add-mask::${env.STELLA_TEST_TOKEN}\n`), describeRun(run));
});

/**
 * A job of STELLA_TEST_OIDC_REPOSITORY at STELLA_TEST_OIDC_SHA whose runner hands out ID tokens
 * from the local issuer (GitHubActionTest sets its claims), trusted by a new CI trust policy.
 * Resolves to the policy's name and the inputs and runner variables of such a job, with
 * source-ref as the README's workflow writes it (the local issuer stands in for github.com, so the
 * server URL is the issuer's).
 */
async function oidcJob(commit = env.STELLA_TEST_OIDC_SHA) {
  const repository = env.STELLA_TEST_OIDC_REPOSITORY;
  const serverUrl = env.STELLA_TEST_OIDC_SERVER_URL;
  const name = `github-${randomUUID().slice(0, 8)}`;
  const policy = await api('POST', '/ci-trust-policies', env.STELLA_TEST_ADMIN_TOKEN, {
    name,
    issuer: env.STELLA_TEST_OIDC_ISSUER,
    audience: env.STELLA_TEST_OIDC_AUDIENCE,
    claims: { repository },
    roles: ['release-creator'],
    permissions: [{ resource: 'release', action: 'create' }],
    bindSourceRef: true,
  });
  assert.equal(policy.status, 201, JSON.stringify(policy.json));
  const inputs = {
    ...documentedInputs(),
    'stella-token': '',
    'stella-audience': env.STELLA_TEST_OIDC_AUDIENCE,
    'source-ref': `type: git\nrepository: ${serverUrl}/${repository}\ncommit: ${commit}\ntag: v1.2.0\n`,
  };
  const runner = {
    ...RUNNER,
    GITHUB_SERVER_URL: serverUrl,
    GITHUB_REPOSITORY: repository,
    GITHUB_SHA: env.STELLA_TEST_OIDC_SHA,
    ACTIONS_ID_TOKEN_REQUEST_URL: env.STELLA_TEST_OIDC_REQUEST_URL,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: env.STELLA_TEST_OIDC_REQUEST_TOKEN,
  };
  return { name, inputs, runner };
}

test('without stella-token the job OIDC token creates the release through a CI trust policy', { skip: skipGateway }, async () => {
  const { name, inputs, runner } = await oidcJob();
  const run = await runAction(inputs, runner);

  assert.equal(run.code, 0, describeRun(run));
  assert.match(run.stdout, /^::add-mask::ey[\w-]+\.[\w-]+\.[\w-]+$/m, describeRun(run));
  const stored = await api('GET', `/releases/${run.outputs['release-id']}`, env.STELLA_TEST_ADMIN_TOKEN);
  assert.equal(stored.status, 200, JSON.stringify(stored.json));
  assert.equal(stored.json.data.sourceRef.commit, env.STELLA_TEST_OIDC_SHA);
  assert.equal(stored.json.data.createdBy, `ci:${name}`);
});

test('an OIDC job naming another commit fails the step showing the commit its token is bound to', { skip: skipGateway }, async () => {
  const { inputs, runner } = await oidcJob('1111111111111111111111111111111111111111');
  const run = await runAction(inputs, runner);

  assert.equal(run.code, 1, describeRun(run));
  const annotation = errorAnnotations(run.stdout)[0] ?? '';
  assert.match(annotation, /HTTP 403 SOURCE_REF_MISMATCH/, describeRun(run));
  assert.ok(annotation.includes(env.STELLA_TEST_OIDC_SHA), describeRun(run));
});

test('without stella-token and without id-token permission the step fails saying what to add', async () => {
  const run = await runAction({ ...documentedInputs(), 'stella-url': 'https://stella.example.com', 'stella-token': '' }, RUNNER);

  assert.equal(run.code, 1, describeRun(run));
  assert.match(errorAnnotations(run.stdout)[0] ?? '', /add `permissions: id-token: write`.*or set stella-token/, describeRun(run));
});

test('inputs the gateway could not take fail the step before anything is sent', async () => {
  // A closed loopback port: any request the action made would fail with a network error instead.
  const closed = `http://127.0.0.1:${await closedPort()}`;
  const cases = [
    [{ components: '' }, /Input required and not supplied: components/],
    [{ components: 'componentId: x\ndigest: y' }, /components must be a non-empty YAML list/],
    [{ components: '[]' }, /components must be a non-empty YAML list/],
    [{ components: '- componentId: x' }, /components\[0\] needs digest/],
    [{ components: '- x' }, /components\[0\] must be a YAML mapping/],
    [{ components: '- componentId: x\n  digest: y\n  image: z' }, /components\[0\] has an unknown key "image"/],
    [{ components: '- componentId: [x' }, /components is not valid YAML/],
    [{ 'source-ref': '- git' }, /source-ref must be a YAML mapping/],
    [{ 'stella-url': 'ftp://stella.example.com' }, /stella-url must be an http\(s\) URL/],
    [{ 'stella-url': 'stella.example.com' }, /stella-url must be an http\(s\) URL/],
    [{ 'stella-url': 'http://stella.example.com' }, /stella-url must be https:\/\/ \(plain http:\/\/ only to localhost\)/],
    [{ 'release-name': ' ' }, /release-name is required/],
  ];
  for (const [change, expected] of cases) {
    const run = await runAction({ ...documentedInputs(), 'stella-url': closed, 'stella-token': 'x', ...change }, RUNNER);
    assert.equal(run.code, 1, describeRun(run));
    assert.match(errorAnnotations(run.stdout)[0] ?? '', expected, describeRun(run));
  }
});

test('a gateway that cannot be reached fails the step naming the address', async () => {
  const closed = `http://127.0.0.1:${await closedPort()}`;
  const run = await runAction({ ...documentedInputs(), 'stella-url': closed, 'stella-token': 'x' }, RUNNER);

  assert.equal(run.code, 1, describeRun(run));
  assert.match(errorAnnotations(run.stdout)[0] ?? '', new RegExp(`could not reach the gateway at ${closed}/api/v1/releases: .*ECONNREFUSED`), describeRun(run));
});

test('a redirect is not followed, so the token reaches only stella-url', async () => {
  const elsewhere = await recordingServer((req, res) => res.writeHead(201).end());
  const redirecting = await recordingServer((req, res) =>
    res.writeHead(307, { Location: `${elsewhere.url}/api/v1/releases` }).end());
  try {
    const run = await runAction({ ...documentedInputs(), 'stella-url': redirecting.url, 'stella-token': 'x' }, RUNNER);

    assert.equal(run.code, 1, describeRun(run));
    assert.match(errorAnnotations(run.stdout)[0] ?? '', new RegExp(`HTTP 307 redirecting to ${elsewhere.url}/api/v1/releases; redirects are not followed`), describeRun(run));
    assert.equal(redirecting.requests.length, 1);
    assert.deepEqual(elsewhere.requests, []);
  } finally {
    await Promise.all([elsewhere.close(), redirecting.close()]);
  }
});

/** An HTTP server on loopback answering with {@code handler} and keeping each request's method and URL. */
async function recordingServer(handler) {
  const requests = [];
  const server = createHttpServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** A loopback port nothing listens on: bound, then released. */
function closedPort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
