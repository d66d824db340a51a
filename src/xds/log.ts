// The logger the xDS server writes to: pino's (object, message) calling convention, so the
// serve command can pass its pino logger (or a child of it) as is.
export interface XdsLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentLog: XdsLog = { debug() {}, info() {}, warn() {}, error() {} };

/** What one connected client has, per resource type (for the admin endpoint and debugging). */
export interface XdsTypeStatus {
  /** `*` for a wildcard subscription, then the names subscribed to */
  readonly subscribed: readonly string[];
  /** version of the last response sent */
  readonly sent?: string;
  /** last version the client ACKed (state of the world only) */
  readonly acked?: string;
  /** last version the client NACKed */
  readonly nacked?: string;
}

export interface XdsClientStatus {
  readonly node: string;
  readonly peer: string;
  readonly protocol: 'sotw' | 'delta';
  readonly types: Readonly<Partial<Record<'listener' | 'route' | 'cluster' | 'endpoint' | 'secret' | 'vhost', XdsTypeStatus>>>;
}
