// Pure checks of the action's inputs: each returns the value to send or throws an
// InputError naming the input and what is wrong, before anything is sent.
import { createHash } from 'node:crypto';
import { parse } from 'yaml';

export class InputError extends Error {}

const COMPONENT_KEYS = ['componentId', 'digest', 'tag'];
const SOURCE_REF_KEYS = ['type', 'repository', 'commit', 'tag', 'branch'];

/**
 * The gateway's base URL without trailing slashes. A URL ending in /api/v1 (how a variable
 * named STELLA_API_URL often holds it) is taken as its base, so that both spellings work.
 */
export function gatewayBase(text) {
  const trimmed = text.trim();
  let url;
  try {
    url = new URL(trimmed);
  } catch {
    throw new InputError(`stella-url must be an http(s) URL such as https://stella.example.com, not "${trimmed}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(`stella-url must be an http(s) URL, not ${url.protocol}`);
  }
  // The token (a service-account secret, or an ID token good for any request until it expires)
  // travels in the Authorization header: only over TLS, or to the runner itself.
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new InputError(`stella-url must be https:// (plain http:// only to localhost): the token would cross the network unencrypted to ${url.host}`);
  }
  if (url.search || url.hash) {
    throw new InputError('stella-url must not have a query or fragment');
  }
  return url.href.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
}

/** Whether a URL's hostname is this machine: localhost, 127.0.0.0/8 or [::1]. */
function isLoopback(hostname) {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

export function releaseName(text) {
  const name = text.trim();
  if (!name) {
    throw new InputError('release-name is required');
  }
  return name;
}

/** The gateway's limit on an Idempotency-Key. */
const MAX_KEY_LENGTH = 255;

/**
 * The Idempotency-Key to send: the idempotency-key input joined with the release name, so that
 * two releases created in one run (two jobs, or the legs of a matrix, which share the run id)
 * never share a key, while a repeat of one release's request does. A name too long to fit is
 * replaced by its SHA-256. Empty when the input is empty (no key is sent).
 */
export function idempotencyKey(text, name) {
  const key = text.trim();
  if (!key) {
    return '';
  }
  const joined = `${key}:${name}`;
  return joined.length <= MAX_KEY_LENGTH ? joined
    : `${key}:sha256:${createHash('sha256').update(name).digest('hex')}`;
}

/**
 * The components input: a YAML list of mappings, each with componentId and digest (and an
 * optional tag). YAML's failsafe schema reads every scalar as a string, so a digest, an id or
 * a commit made only of digits keeps its exact characters (the core schema would make
 * 0123456 the number 123456).
 */
export function components(text) {
  const list = yaml('components', text);
  if (!Array.isArray(list) || list.length === 0) {
    throw new InputError('components must be a non-empty YAML list, e.g.\n'
      + '- componentId: <component id>\n  digest: sha256:<64 hex>');
  }
  return list.map((item, i) => {
    const where = `components[${i}]`;
    const entry = mapping(where, item, COMPONENT_KEYS);
    for (const key of ['componentId', 'digest']) {
      if (!entry[key]) {
        throw new InputError(`${where} needs ${key} (got keys: ${Object.keys(entry).join(', ') || 'none'})`);
      }
    }
    return entry;
  });
}

/** The source-ref input: a YAML mapping of type, repository, commit and tag; empty sends none. */
export function sourceRef(text) {
  if (!text.trim()) {
    return undefined;
  }
  return mapping('source-ref', yaml('source-ref', text), SOURCE_REF_KEYS);
}

function yaml(input, text) {
  try {
    return parse(text, { schema: 'failsafe', uniqueKeys: true });
  } catch (e) {
    throw new InputError(`${input} is not valid YAML: ${e.message}`);
  }
}

function mapping(where, value, allowed) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${where} must be a YAML mapping of ${allowed.join(', ')}`);
  }
  const result = {};
  for (const [key, v] of Object.entries(value)) {
    if (!allowed.includes(key)) {
      throw new InputError(`${where} has an unknown key "${key}" (allowed: ${allowed.join(', ')})`);
    }
    if (typeof v !== 'string') {
      throw new InputError(`${where}.${key} must be a single value`);
    }
    if (v.trim()) {
      result[key] = v.trim();
    }
  }
  return result;
}
