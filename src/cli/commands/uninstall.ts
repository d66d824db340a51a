// `sluice uninstall knative`: deletes what `sluice install knative` applied (k8s/uninstall-knative.ts):
// config-network's ingress-class while it names Sluice, Sluice's objects, and Knative Serving only when
// Sluice installed it.
// `sluice uninstall gateway-api`: deletes what `sluice install gateway-api` applied (the namespace
// last, which takes whatever is left in it). The Gateway API CRDs were not Sluice's to install, and
// deleting them would delete every user's Gateways and routes: they stay, and the command says how to remove them.
import type { Writable } from 'node:stream';
import { Command } from 'commander';
import { installDefaults } from '../../k8s/install.ts';
import { GATEWAY_API_CRDS_COMMAND, gatewayApiUninstallManifests } from '../../k8s/install-gateway-api.ts';
import { installOptionsFromFlags } from './install.ts';

export interface UninstallFlags {
  namespace: string;
  kubeconfig?: string;
  /** `uninstall knative` only */
  ingressClass?: string;
  keepServing?: boolean;
}

export async function runUninstallKnative(f: UninstallFlags, out: Writable): Promise<void> {
  const o = installOptionsFromFlags({ ...f, image: installDefaults.image, replicas: String(installDefaults.replicas), ingressClass: f.ingressClass ?? installDefaults.ingressClass });
  const { KubeClient } = await import('../../k8s/client.ts');
  const { uninstallKnative } = await import('../../k8s/uninstall-knative.ts');
  await uninstallKnative(KubeClient.load(f.kubeconfig), o, { keepServing: f.keepServing === true }, (line) => out.write(`${line}\n`));
}

export async function runUninstallGatewayApi(f: UninstallFlags, out: Writable): Promise<void> {
  const manifests = gatewayApiUninstallManifests(installOptionsFromFlags({ ...f, image: installDefaults.image, replicas: String(installDefaults.replicas), ingressClass: installDefaults.ingressClass }));
  const { KubeClient } = await import('../../k8s/client.ts');
  const { deleteManifests } = await import('../../k8s/apply.ts');
  await deleteManifests(KubeClient.load(f.kubeconfig), manifests, (what, gone) => out.write(`${what} ${gone ? 'was not there' : 'deleted'}\n`));
  out.write(`# The Gateway API CRDs are left in place (deleting them deletes every Gateway and route). To remove them:\n# ${GATEWAY_API_CRDS_COMMAND.replace('apply --server-side', 'delete')}\n`);
}

export function uninstallCommand(): Command {
  const uninstall = new Command('uninstall').description('delete what `sluice install` applied');
  uninstall
    .command('knative')
    .description("delete Sluice's objects, config-network's ingress-class while it names Sluice, and Knative Serving if Sluice installed it")
    .option('-n, --namespace <ns>', 'namespace of the gateway', installDefaults.namespace)
    .option('--ingress-class <class>', 'the ingress class the install set', installDefaults.ingressClass)
    .option('--keep-serving', 'leave a Knative Serving that Sluice installed in place (deleting its CRDs deletes every Knative Service)')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .action(async (f: UninstallFlags) => {
      await runUninstallKnative(f, process.stdout);
    });
  uninstall
    .command('gateway-api')
    .description('delete the GatewayClass sluice, RBAC, gateway Deployment, Services and namespace')
    .option('-n, --namespace <ns>', 'namespace of the gateway', installDefaults.namespace)
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .action(async (f: UninstallFlags) => {
      await runUninstallGatewayApi(f, process.stdout);
    });
  return uninstall;
}
