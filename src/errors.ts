// One error type with stable codes. Messages say what is wrong and where; codes let callers
// and tests branch without parsing text. Every code is documented in README.md ("Errors").
export type ErrorCode =
  | 'SLUICE_ERR_INVALID_RESOURCE' // a config document failed validation
  | 'SLUICE_ERR_PARSE' // a config file is not valid YAML/JSON
  | 'SLUICE_ERR_CONFIG_DIR' // the config directory cannot be read
  | 'SLUICE_ERR_BAD_FLAG' // a command-line flag has an unusable value
  | 'SLUICE_ERR_LISTEN' // a listener could not bind its address
  | 'SLUICE_ERR_UPSTREAM' // an upstream could not be reached
  | 'SLUICE_ERR_KUBERNETES' // the Kubernetes API answered with an error
  | 'SLUICE_ERR_XDS'; // an xDS client sent something unusable

export class SluiceError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'SluiceError';
  }
}
