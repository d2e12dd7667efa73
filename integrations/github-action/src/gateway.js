// The one call this action makes: POST /api/v1/releases, with Node's built-in fetch.

export class GatewayError extends Error {}

const TIMEOUT_MILLIS = 60_000;

/**
 * Creates the release and returns {release, replayed}. Any answer but a 201 success envelope,
 * and any failure to get an answer, is a GatewayError whose message is what the step shows.
 */
export async function createRelease({ base, token, idempotencyKey, body, userAgent }) {
  const url = `${base}/api/v1/releases`;
  const headers = {
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'User-Agent': userAgent,
  };
  if (idempotencyKey) {
    headers['Idempotency-Key'] = idempotencyKey;
  }
  let response;
  let text;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      // A redirect is reported, not followed: the bearer goes only to stella-url.
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MILLIS),
    });
    text = await response.text();
  } catch (e) {
    throw new GatewayError(`could not reach the gateway at ${url}: ${networkReason(e)}`);
  }
  if (response.status >= 300 && response.status < 400) {
    throw new GatewayError(`the gateway answered HTTP ${response.status} redirecting to `
      + `${response.headers.get('location') ?? '(no Location)'}; redirects are not followed, so that the `
      + 'token is sent nowhere else: set stella-url to the address the gateway is served at');
  }
  const envelope = parseJson(text);
  if (response.status === 201 && envelope?.success === true && envelope.data?.id) {
    return { release: envelope.data, replayed: response.headers.get('idempotent-replayed') === 'true' };
  }
  throw new GatewayError(describeFailure(response.status, envelope, text));
}

/**
 * The gateway's error envelope as one message: status, code and message, then each
 * validation error on its own line ({"success":false,"error":{code,message,details?,
 * validationErrors?:[{field,message,code}]},"meta":{requestId}}).
 */
export function describeFailure(status, envelope, text) {
  const error = envelope?.error;
  if (!error || typeof error.message !== 'string') {
    const snippet = (text || '').trim().slice(0, 500);
    return `the gateway answered HTTP ${status} without its error envelope${snippet ? `: ${snippet}` : ''}`;
  }
  const lines = [`the gateway refused the release (HTTP ${status} ${error.code}): ${error.message}`];
  for (const v of Array.isArray(error.validationErrors) ? error.validationErrors : []) {
    lines.push(`  ${v.field}: ${v.message}${v.code ? ` (${v.code})` : ''}`);
  }
  const count = error.details?.validationErrorCount;
  if (count) {
    lines.push(`  (${count} problems in all)`);
  }
  if (status === 401) {
    lines.push('  Check stella-token, or the CI trust policy that should accept this job\'s OIDC token.');
  }
  if (envelope.meta?.requestId) {
    lines.push(`  request id: ${envelope.meta.requestId}`);
  }
  return lines.join('\n');
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** fetch() reports "fetch failed" and keeps the reason (ECONNREFUSED, a TLS error) in cause. */
function networkReason(e) {
  if (e?.name === 'TimeoutError') {
    return `no answer within ${TIMEOUT_MILLIS / 1000} s`;
  }
  const cause = e?.cause;
  const detail = cause?.code || cause?.message;
  return detail ? `${e.message} (${detail})` : String(e?.message ?? e);
}
