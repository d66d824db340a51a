// Secrets never leave the process through the admin endpoint: what it shows (the snapshot, the
// Envoy config dump) goes through here first. Certificates are public; their keys, AWS secret keys
// and session tokens are not.
const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'privateKey',
  'private_key',
  'secretAccessKey',
  'secret_access_key',
  'sessionToken',
  'session_token',
  'password',
  'clientSecret',
  'client_secret',
]);

export const REDACTED = '[redacted]';

/** A copy of a JSON-able value with every secret field's value replaced by `[redacted]`. */
export function redactSecrets<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (SECRET_FIELDS.has(key) && v !== undefined && v !== null ? REDACTED : v))) as T;
}
