// Sluice's own handlers, registered for every data plane. Each is loaded on its first call, so a
// gateway without functions never pays for a signer or a template engine at start-up.
import { functionHandlers } from './registry.ts';
import type { FunctionCall, FunctionHandler } from './types.ts';

type Loader<C extends FunctionCall> = () => Promise<FunctionHandler<C>>;

/** A handler that loads the real one on first use and calls it from then on. */
function lazy<C extends FunctionCall>(load: Loader<C>): FunctionHandler<C> {
  let loaded: Promise<FunctionHandler<C>> | undefined;
  return (call, req, ctx) => {
    loaded ??= load();
    return loaded.then((handler) => handler(call, req, ctx));
  };
}

functionHandlers.register(
  'rest',
  lazy(async () => (await import('./rest/handler.ts')).restHandler),
);
functionHandlers.register(
  'aws-lambda',
  lazy(async () => (await import('./aws-lambda/handler.ts')).lambdaHandler),
);
functionHandlers.register(
  'grpc-json',
  lazy(async () => (await import('./grpc-json/handler.ts')).grpcJsonHandler),
);
