// One error type with stable codes. Messages say what is wrong and where; codes let callers
// and tests branch without parsing text. Every code is documented in README.md ("Errors"),
// with the meaning given here (test/errors.test.ts holds the two together).
export const ERROR_CODES = {
  SLUICE_ERR_CONFIG_DIR: 'the config directory cannot be read',
  SLUICE_ERR_BAD_FLAG: 'a command-line flag has an unusable value (exit code 2)',
  SLUICE_ERR_LISTEN: 'a listener could not bind its address, or a worker exited before it was ready',
  SLUICE_ERR_KUBERNETES: 'the Kubernetes API answered with an error',
  SLUICE_ERR_XDS: 'an xDS resource does not fit its Envoy proto type (the field is named)',
  SLUICE_ERR_ADMIN: "a running gateway's admin endpoint (`sluice get`, `describe`, `check`, `config dump`) cannot be reached or refused the request",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class SluiceError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'SluiceError';
  }
}
