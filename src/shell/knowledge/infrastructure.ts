/** Containers, infrastructure as code, Kubernetes, cloud CLIs and hosting platforms. */
import { parseWithSpec } from '../capabilities';
import * as path from 'node:path';
import { finding } from '../model';
import { SHELLS } from './code';
import { add, innerText, known, skipOptions, subcommandRules } from './common';
import type { Handler } from './common';
import { specOf, unknownOptions } from './specs';

/** `docker exec CONTAINER CMD...`: what runs is CMD (judged as if here: stricter, never looser). */
const dockerExec: Handler = (inv, out) => {
  const args = inv.argv.slice(1);
  let i = 0;
  if (args[i]?.value === 'compose' || args[i]?.value === 'container') {
    i++;
    while (i < args.length && args[i].value.startsWith('-')) {
      i += ['-f', '--file', '-p', '--project-name', '--env-file', '--profile'].includes(args[i].value) ? 2 : 1;
    }
  }
  const spec = specOf('docker');
  if (spec && ['run', 'create', 'exec'].includes(args[i]?.value ?? '')) {
    // options end at the image (or container): what follows is the command run inside it
    const given = parseWithSpec(spec, args.slice(i + 1), true);
    unknownOptions(inv, out, spec, given, `docker ${args[i].value}`);
  } else if (spec) {
    unknownOptions(inv, out, spec, parseWithSpec(spec, args.slice(i + 1)), `docker ${args[i]?.value ?? ''}`.trim());
  }
  if (args[i]?.value !== 'exec') {
    dockerRules(inv, out);
    return;
  }
  const rest = args.slice(i + 1);
  const j = skipOptions(rest, ['e', 'env', 'u', 'user', 'w', 'workdir', 'env-file', 'index', 'detach-keys']);
  const cmd = rest.slice(j + 1);
  out.knowledge = 'harmless';
  if (cmd.length === 1 && SHELLS.has(path.basename(cmd[0].value)) && inv.stdin.kind === 'none') {
    return; // an interactive shell in the container
  }
  if (cmd.length) {
    const scope = { cwd: '/', cwdKnown: false };
    out.stdout = inv.env.runArgv(cmd, scope, inv.stdin, innerText(cmd));
  }
};

const docker = dockerExec;

const dockerRules = subcommandRules(
  [
    [/^(push|image push|buildx build .*--push|manifest push)\b/, 'destructive', 'publish.docker', 'pushes an image to a container registry', 'publishing'],
    [/^(system prune|volume prune|volume rm|image prune -a|builder prune -a)\b.*|^system prune\b/, 'destructive', 'infra.docker-prune', 'deletes Docker data (volumes, images or everything unused): databases kept in volumes are lost', 'infrastructure'],
    [/^compose\b.*\bdown\b.*(-v|--volumes)|^compose\b.*\brm\b.*(-v|--volumes)/, 'destructive', 'infra.docker-volumes', 'stops services and deletes their volumes, with the data in them', 'infrastructure'],
    [/^(rm|container rm|rmi|image rm|network rm|container prune|image prune|network prune|kill|container kill)\b/, 'caution', 'infra.docker-remove', 'removes or stops Docker containers, images or networks', 'infrastructure'],
    [/^run\b.*(--privileged|-v\s*\/:|--volume[= ]\/:|--pid[= ]host|--net(work)?[= ]host|\/var\/run\/docker\.sock|--cap-add)/, 'destructive', 'system.docker-privileged', 'runs a container with access to the host system (privileged, host mounts or host namespaces)', 'system'],
    [/^(login|logout)\b/, 'caution', 'publish.docker-login', 'changes your container registry login', 'privilege'],
    [/^(ps|images|image ls|logs|inspect|version|info|build|compose|pull|run|exec|start|stop|container stop|restart|create|tag|network ls|volume ls|container ls|stats|top|port|diff|history|search|context|buildx|events|save|load|cp|attach|wait|scout|init|help|--version)\b/, 'harmless', '', '', 'infrastructure'],
  ],
  'unknown',
);

const terraform = subcommandRules(
  [
    [/^(destroy|apply\b.*-destroy)\b/, 'destructive', 'infra.terraform-destroy', 'destroys the real infrastructure this configuration manages', 'infrastructure'],
    [/^apply\b.*-auto-approve|^apply\b.*\S+\.tfplan/, 'destructive', 'infra.terraform-apply-auto', 'changes real infrastructure without showing a plan to approve (-auto-approve)', 'infrastructure'],
    [/^apply\b/, 'caution', 'infra.terraform-apply', 'changes real infrastructure', 'infrastructure'],
    [/^state (rm|mv|push|replace-provider)\b|^workspace delete\b|^force-unlock\b/, 'destructive', 'infra.terraform-state', 'changes Terraform state directly, which can orphan or destroy resources', 'infrastructure'],
    [/^(import|taint|untaint|refresh)\b/, 'caution', 'infra.terraform-state-change', 'changes Terraform state', 'infrastructure'],
    [/^(plan|init|validate|fmt|show|output|providers|version|graph|state (list|show|pull)|workspace (list|show|select|new)|console|get|test|login|-help|--help|-version|--version)\b/, 'harmless', '', '', 'infrastructure'],
  ],
  'caution',
  'runs $0, which may change real infrastructure',
);

const pulumi = subcommandRules(
  [
    [/^destroy\b/, 'destructive', 'infra.pulumi-destroy', 'destroys every resource in the stack', 'infrastructure'],
    [/^(up|update)\b.*(--yes|-y|-f|--skip-preview)\b/, 'destructive', 'infra.pulumi-up-yes', 'changes real infrastructure without a preview to approve', 'infrastructure'],
    [/^(up|update|refresh|import)\b/, 'caution', 'infra.pulumi-up', 'changes real infrastructure', 'infrastructure'],
    [/^stack rm\b|^state delete\b|^cancel\b/, 'destructive', 'infra.pulumi-stack-rm', 'deletes a stack or its state', 'infrastructure'],
    [/^(preview|stack( ls| output| select| init)?|config( get)?|version|whoami|about|logs|plugin ls|login|new|help)\b/, 'harmless', '', '', 'infrastructure'],
  ],
  'caution',
  'runs $0, which may change real infrastructure',
);

const kubectl = subcommandRules(
  [
    [/^delete\b.*(--all\b|namespace|\bns\b|-A\b|--all-namespaces|pv\b|pvc\b|persistentvolume)/, 'destructive', 'infra.kubectl-delete-all', 'deletes Kubernetes resources in bulk (namespaces, volumes or --all)', 'infrastructure'],
    [/^delete\b/, 'destructive', 'infra.kubectl-delete', 'deletes resources from the Kubernetes cluster', 'infrastructure'],
    [/^(drain|cordon|taint|replace --force|scale .*--replicas[= ]0)\b|^replace\b.*--force/, 'destructive', 'infra.kubectl-disrupt', 'takes workloads or nodes out of service', 'infrastructure'],
    [/^(apply|create|replace|patch|edit|set|label|annotate|scale|autoscale|rollout (restart|undo|pause)|expose|run|exec|cp|uncordon|certificate)\b/, 'caution', 'infra.kubectl-change', 'changes resources in the Kubernetes cluster', 'infrastructure'],
    [/^(get|describe|logs|top|explain|version|api-resources|api-versions|cluster-info|config (view|current-context|get-contexts|use-context)|port-forward|diff|auth can-i|rollout (status|history)|events|wait|completion|kustomize|help|plugin list)\b/, 'harmless', '', '', 'infrastructure'],
  ],
  'caution',
  'runs $0 against a Kubernetes cluster',
);

const helm = subcommandRules(
  [
    [/^(uninstall|delete|del|un)\b/, 'destructive', 'infra.helm-uninstall', 'uninstalls a Helm release and deletes its resources', 'infrastructure'],
    [/^(install|upgrade|rollback)\b/, 'caution', 'infra.helm-change', 'changes a release running in the Kubernetes cluster', 'infrastructure'],
    [/^(list|ls|status|template|lint|repo|search|show|inspect|get|history|version|dependency|package|pull|create|env|help|verify|plugin list)\b/, 'harmless', '', '', 'infrastructure'],
  ],
  'caution',
  'runs $0 against a Kubernetes cluster',
);

const cloud = (name: string) =>
  subcommandRules(
    [
      [/^s3 (rm|rb)\b.*(--recursive|--force)|^s3 sync\b.*--delete/, 'destructive', `infra.${name}-s3-recursive`, 'deletes objects in an S3 bucket in bulk', 'infrastructure'],
      [/^s3 (rm|rb|mv)\b/, 'caution', `infra.${name}-s3-rm`, 'deletes objects or a bucket in S3', 'infrastructure'],
      [/^s3 (cp|sync|mv)\s+(?!s3:\/\/)\S+\s+s3:\/\//, 'caution', 'exfil.cloud-upload', 'uploads local files to cloud storage', 'exfiltration'],
      [/^s3 (cp|sync)\s+s3:\/\/\S+\s+(?!s3:\/\/)\S+$/, 'harmless', '', '', 'infrastructure'],
      [/\b(delete|destroy|terminate|remove|purge|deregister|drop|disable|revoke|rm)[\w-]*\b/, 'destructive', `infra.${name}-delete`, 'deletes cloud resources: $0', 'infrastructure'],
      [/\b(ls|list|describe|get|show|help|version|--version|whoami|info|config list|config get|auth list|account show|account list|configure list|sts get-caller-identity|logs?|tail|wait)\b/, 'harmless', '', '', 'infrastructure'],
    ],
    'caution',
    'runs $0, which may change cloud resources',
  );

const gsutil = subcommandRules(
  [
    [/^(-m )?(rm|rb)\b.*-r|^(-m )?rsync\b.*-d/, 'destructive', 'infra.gsutil-rm-recursive', 'deletes objects in a Cloud Storage bucket in bulk', 'infrastructure'],
    [/^(-m )?(rm|rb)\b/, 'caution', 'infra.gsutil-rm', 'deletes objects from Cloud Storage', 'infrastructure'],
    [/^(-m )?(ls|cat|du|stat|hash|version|help)\b/, 'harmless', '', '', 'infrastructure'],
  ],
  'caution',
  'runs $0 against Cloud Storage',
);

const paas = (name: string) =>
  subcommandRules(
    [
      [/\b(destroy|delete|remove|rm|apps:destroy|sites:delete|projects:delete|teardown|purge)\b/, 'destructive', `infra.${name}-delete`, 'deletes a deployed application or its resources ($0)', 'infrastructure'],
      [/\b(deploy|publish|release|up|--prod|promote|scale|apply|push|set|secrets?|env (add|rm))\b/, 'caution', `infra.${name}-deploy`, 'deploys or changes a live service ($0)', 'infrastructure'],
      [/\b(ls|list|logs?|status|info|whoami|version|--version|help|diff|synth|doctor|dev|build|serve|init|login|emulators|preview|link|pull|inspect)\b/, 'harmless', '', '', 'infrastructure'],
    ],
    'caution',
    'runs $0, which may change deployed services',
  );

export const INFRASTRUCTURE_HANDLERS: Record<string, Handler> = {
docker,
  podman: docker,
  nerdctl: docker,
  terraform,
  tofu: terraform,
  terragrunt: terraform,
  pulumi,
  kubectl,
  oc: kubectl,
  k: kubectl,
  helm,
  aws: cloud('aws'),
  gcloud: cloud('gcloud'),
  az: cloud('az'),
  doctl: cloud('doctl'),
  linode: cloud('linode'),
  gsutil,
  heroku: paas('heroku'),
  fly: paas('fly'),
  flyctl: paas('fly'),
  vercel: paas('vercel'),
  netlify: paas('netlify'),
  firebase: paas('firebase'),
  serverless: paas('serverless'),
  sls: paas('serverless'),
  cdk: paas('cdk'),
  wrangler: paas('wrangler'),
  eksctl: paas('eksctl'),
  railway: paas('railway'),
  'ansible-playbook': (inv, out) => {
    known(out);
    if (!inv.argv.some((w) => ['--check', '-C', '--syntax-check', '--list-tasks', '--list-hosts'].includes(w.value))) {
      add(out, finding('infrastructure', 'caution', 'infra.ansible', 'runs an Ansible playbook against real machines'));
    }
  },
};
