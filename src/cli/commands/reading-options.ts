// The flags that say how configuration is read and translated, shared by `serve` and `validate`
// so that validate reports what that serve would do.
import { type Command, Option } from 'commander';
import { serveDefaults } from '../serve-flags.ts';

/** --cluster-domain, --ingress-class, --require-ingress-class, --gateway-address, --port-offset */
export function translateOptions(): Option[] {
  return [
    new Option('--cluster-domain <domain>', 'cluster domain for short host forms').default(serveDefaults.clusterDomain),
    new Option('--ingress-class <class>', 'ingress class served').default(serveDefaults.ingressClass),
    new Option('--gateway-address <ip>', 'address every Gateway API listener binds').default(serveDefaults.gatewayAddress),
    new Option('--port-offset <n>', 'added to every Gateway API listener port (0..65535), so port 80 can be served unprivileged as 80+N').default(serveDefaults.portOffset),
    new Option('--require-ingress-class', 'file mode: serve only ingresses whose networking.knative.dev/ingress.class annotation is --ingress-class (Kubernetes mode always does; without it, file mode also serves ingresses with no class annotation)'),
  ];
}

/** --max-config-file-size, --max-config-documents */
export function configLimitOptions(): Option[] {
  return [
    new Option('--max-config-file-size <bytes>', 'largest config file read; a larger one is rejected and keeps what it held').default(serveDefaults.maxConfigFileSize),
    new Option('--max-config-documents <n>', 'most documents (and List items) in one config file; more are rejected like a larger file').default(serveDefaults.maxConfigDocuments),
  ];
}

/** Adds `options` to `command` in order (commander has no addOptions). */
export function withOptions(command: Command, options: readonly Option[]): Command {
  for (const o of options) command.addOption(o);
  return command;
}
