// Which handler runs each kind of function call. Each handler module registers itself here when it
// is loaded (`functionHandlers.register('rest', callRest)`), so the call runner never imports a
// handler and a handler that is not loaded is a 501, not a failure to start.
import type { FunctionCall, FunctionHandler } from './types.ts';

export type CallType = FunctionCall['type'];

/** The handler for each call type; `register` hands back a function that puts the previous one back (tests' stubs). */
export class FunctionRegistry {
  readonly #handlers = new Map<CallType, FunctionHandler<FunctionCall>>();

  register<T extends CallType>(type: T, handler: FunctionHandler<Extract<FunctionCall, { type: T }>>): () => void {
    const previous = this.#handlers.get(type);
    // Safe: a call only runs the handler registered under its own type.
    this.#handlers.set(type, handler as FunctionHandler<FunctionCall>);
    return () => {
      if (this.#handlers.get(type) !== (handler as FunctionHandler<FunctionCall>)) return;
      if (previous === undefined) this.#handlers.delete(type);
      else this.#handlers.set(type, previous);
    };
  }

  /** Removes the handler for `type` (a gateway that must not make such calls; tests); returns its restoration. */
  unregister(type: CallType): () => void {
    const previous = this.#handlers.get(type);
    this.#handlers.delete(type);
    return () => {
      if (previous !== undefined && !this.#handlers.has(type)) this.#handlers.set(type, previous);
    };
  }

  /** The handler for `call`'s type; undefined when none is registered. */
  handlerFor(call: FunctionCall): FunctionHandler<FunctionCall> | undefined {
    return this.#handlers.get(call.type);
  }
}

/** The process's registry: what the handlers register themselves in and what data planes use. */
export const functionHandlers = new FunctionRegistry();
