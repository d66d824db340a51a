// The logger the xDS server writes to: pino's (object, message) calling convention, so the
// serve command can pass its pino logger (or a child of it) as is.
export interface XdsLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentLog: XdsLog = { debug() {}, info() {}, warn() {}, error() {} };
