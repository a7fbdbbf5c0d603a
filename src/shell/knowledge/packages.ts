/** Package managers, build tools and publishing (npm, cargo, pip, make, gh, registries). */
import { parseWithSpec } from '../capabilities';
import { finding, lit } from '../model';
import type { Invocation, Outcome } from '../model';
import { add, innerText, known, readTarget, skipOptions, subcommandRules, words } from './common';
import type { Handler } from './common';
import { inlineCode } from './code';
import { applyOptionRoles, specOf, unknownOptions, workScope } from './specs';
import { packageScripts } from './scripts';

function pkgManager(inv: Invocation, out: Outcome): void {
  const prog = inv.program;
  const spec = specOf(prog)!;
  const given = parseWithSpec(spec, inv.argv.slice(1));
  unknownOptions(inv, out, spec, given);
  applyOptionRoles(inv, out, { ...given, options: given.options.filter((o) => o.spec.role !== 'C') });
  const dir = workScope(inv, given);
  let sub = given.operands[0]?.value ?? '';
  let rest = given.operands.slice(1);
  if ((prog === 'yarn' && sub === 'npm') || (prog === 'pnpm' && sub === 'npm')) {
    sub = rest[0]?.value ?? '';
    rest = rest.slice(1);
  }
  if ((prog === 'yarn' || prog === 'pnpm') && sub === 'workspace') {
    sub = rest[1]?.value ?? '';
    rest = rest.slice(2);
  }
  const restv = words(rest);
  out.knowledge = 'harmless';
  if (sub === 'publish' && !restv.includes('--dry-run') && !given.options.some((o) => o.spec.name === 'dry-run')) {
    known(out);
    add(out, finding('publishing', 'destructive', 'publish.npm', `publishes the package to the ${prog === 'npm' || prog === 'pnpm' || prog === 'yarn' ? 'npm' : prog} registry for everyone (a version can never be republished)`));
  } else if (sub === 'unpublish') {
    known(out);
    add(out, finding('publishing', 'destructive', 'publish.npm-unpublish', 'removes a published package version from the registry, breaking everyone who depends on it'));
  } else if (['deprecate', 'dist-tag', 'owner', 'access', 'team', 'token', 'login', 'adduser', 'logout', 'org', 'star', 'hook', 'profile'].includes(sub)) {
    known(out);
    if (!(sub === 'dist-tag' && (restv[0] === 'ls' || restv[0] === 'list')) && !(['owner', 'access', 'token', 'team', 'org', 'profile'].includes(sub) && ['ls', 'list', 'get'].includes(restv[0] ?? ''))) {
      add(out, finding('publishing', 'caution', `publish.npm-${sub}`, `changes the package's registry settings or your account (${prog} ${sub})`));
    }
  } else if (['exec', 'x', 'dlx'].includes(sub) && rest.some((w) => w.value === '-c' || w.value.startsWith('--call'))) {
    npx({ ...inv, argv: [lit('npx'), ...rest] }, out);
  } else if (['exec', 'x', 'dlx'].includes(sub)) {
    const j = skipOptions(rest, ['package', 'p', 'c', 'call']);
    if (rest.slice(j).length) {
      out.stdout = inv.env.runArgv(rest.slice(j), inv.scope, inv.stdin, innerText(rest.slice(j)));
    } else {
      out.knowledge = 'unknown';
    }
  } else if (['run', 'run-script', 'rs', 'test', 't', 'tst', 'start', 'stop', 'restart'].includes(sub) || (prog !== 'npm' && !KNOWN_PM_SUBS.has(sub) && sub !== '')) {
    const script = ['run', 'run-script', 'rs'].includes(sub) ? restv.find((a) => !a.startsWith('-')) ?? '' : sub === 't' || sub === 'tst' ? 'test' : sub;
    out.writes = true;
    if (dir.cwdKnown) {
      packageScripts({ ...inv, scope: dir }, out, dir.cwd, [`pre${script}`, script, `post${script}`], inlineCode);
    } else {
      out.unknownReason = `${prog} runs the "${script}" script of a package in a folder only known when the line runs`;
    }
    if (/deploy|publish|release|destroy|drop|wipe|nuke|teardown|purge|prod/i.test(script)) {
      known(out);
      add(out, finding('publishing', 'caution', 'script.deploy-like', `runs the project's "${script}" script, whose name suggests it deploys, publishes or destroys something`));
    }
  } else if (sub === 'config' && ['set', 'delete'].includes(restv[0] ?? '')) {
    known(out);
    if (/registry|script-shell|ignore-scripts|node-options|git$|proxy|cafile|strict-ssl|_auth/.test(restv[1] ?? '')) {
      add(out, finding('remote-code', 'caution', 'npm.config-supply-chain', `changes where packages come from or how their scripts run (${prog} config ${restv.slice(0, 2).join(' ')})`));
    }
  } else if (['install', 'i', 'ci', 'add', 'in', 'isntall', ''].includes(sub) && dir.cwdKnown && !given.options.some((o) => o.spec.name === 'ignore-scripts')) {
    out.writes = true;
    packageScripts({ ...inv, scope: dir }, out, dir.cwd, ['preinstall', 'install', 'postinstall', 'prepare'], inlineCode);
  } else if (sub === 'cache' && restv[0] === 'clean') {
    known(out);
  } else if (sub === 'version' && restv.length) {
    known(out);
  }
}

/** What `poetry publish`, `uv publish`, `conda remove` and the like do (resolved when called). */
function runWrapperFallback(program: string): Handler | undefined {
  if (['poetry', 'hatch', 'uv', 'pdm', 'rye'].includes(program)) {
    return pyPublish(program);
  }
  if (program === 'conda' || program === 'mamba') {
    return brewLikeRef;
  }
  return undefined;
}

const KNOWN_PM_SUBS = new Set('install i add ci test t start stop restart ls list view info show outdated audit why explain help version config init create pack link unlink prune dedupe rebuild doctor whoami uninstall remove rm un update upgrade up cache fund bin root prefix search set-script pkg query sbom diff repo docs bugs home ping run exec x dlx publish unpublish install-test it licenses patch patch-commit import store env setup node plugin constraints workspaces workspace dedupe tsc lint format build dev preview typecheck check'.split(' '));

const cargo: Handler = (inv, out) => {
  const sub = inv.argv.find((w, i) => i > 0 && !w.value.startsWith('-') && !w.value.startsWith('+'))?.value ?? '';
  out.knowledge = 'harmless';
  if (sub === 'publish' && !inv.argv.some((w) => w.value === '--dry-run')) {
    known(out);
    add(out, finding('publishing', 'destructive', 'publish.cargo', 'publishes the crate to crates.io for everyone (a version can never be deleted)'));
  } else if (sub === 'yank' || sub === 'owner' || sub === 'login') {
    known(out);
    add(out, finding('publishing', sub === 'yank' ? 'destructive' : 'caution', `publish.cargo-${sub}`, `changes a published crate or your registry account (cargo ${sub})`));
  }
  // --config KEY=VALUE (or a config file) can name the programs cargo runs: wrappers, linkers, runners
  const configs = inv.argv.flatMap((w, i) => (w.value === '--config' ? [inv.argv[i + 1]] : w.value.startsWith('--config=') ? [{ ...w, value: w.value.slice(9) }] : [])).filter((w) => w !== undefined);
  for (const c of configs) {
    if (!c.literal || !c.value.includes('=') || /wrapper|rustc|rustdoc|linker|runner|credential|alias|\benv\b|target-applies|include|ar\b|cc\b/i.test(c.value.split('=')[0])) {
      known(out);
      add(out, finding('remote-code', 'caution', 'cargo.config-exec', `cargo --config ${c.value.slice(0, 60)}: configuration that can make cargo run other programs`));
    }
  }
};

const twine = subcommandRules([[/^upload\b/, 'destructive', 'publish.pypi', 'uploads the package to PyPI for everyone', 'publishing'], [/^(check|register --help)/, 'harmless', '', '', 'publishing']], 'unknown');

const pyPublish = (tool: string) =>
  subcommandRules([[/\bpublish\b/, 'destructive', `publish.${tool}`, `publishes the package (${tool} publish) for everyone`, 'publishing']], 'harmless');

const gem = subcommandRules([[/^push\b/, 'destructive', 'publish.gem', 'publishes the gem to rubygems.org', 'publishing'], [/^yank\b/, 'destructive', 'publish.gem-yank', 'yanks a published gem', 'publishing'], [/^(owner|signin|signout)\b/, 'caution', 'publish.gem-account', 'changes a gem owner or your account', 'publishing']], 'harmless');

const vsce = subcommandRules([[/^publish\b/, 'destructive', 'publish.vsce', 'publishes the extension to the marketplace for everyone', 'publishing'], [/^unpublish\b/, 'destructive', 'publish.vsce-unpublish', 'removes the extension from the marketplace', 'publishing'], [/^(login|logout|delete-publisher|create-publisher)\b/, 'caution', 'publish.vsce-account', 'changes your marketplace publisher account', 'publishing']], 'harmless');

const mvn = subcommandRules([[/\b(deploy|release:perform|site-deploy)\b/, 'destructive', 'publish.maven', 'deploys artifacts to a remote repository', 'publishing']], 'harmless');

const gradle = subcommandRules([[/\b(publish\w*|uploadArchives|bintrayUpload)\b/, 'destructive', 'publish.gradle', 'publishes artifacts to a remote repository', 'publishing']], 'harmless');

const dotnet = subcommandRules([[/^nuget (push|delete)\b/, 'destructive', 'publish.nuget', 'pushes or deletes a NuGet package on the feed', 'publishing'], [/^(ef database drop)\b/, 'destructive', 'db.drop', 'drops the database (dotnet ef database drop)', 'database']], 'harmless');

const nuget = subcommandRules([[/^(push|delete)\b/i, 'destructive', 'publish.nuget', 'pushes or deletes a NuGet package on the feed', 'publishing']], 'harmless');

const pod = subcommandRules([[/^trunk (push|delete|deprecate)\b/, 'destructive', 'publish.cocoapods', 'publishes or removes a pod on CocoaPods trunk', 'publishing']], 'harmless');

const ghRules = subcommandRules(
  [
    [/^release (create|upload|edit)\b/, 'destructive', 'publish.gh-release', 'creates or changes a public GitHub release', 'publishing'],
    [/^release delete\b/, 'destructive', 'publish.gh-release-delete', 'deletes a GitHub release', 'publishing'],
    [/^repo (delete|archive)\b/, 'destructive', 'publish.gh-repo-delete', 'deletes or archives a GitHub repository', 'publishing'],
    [/^repo (edit|rename)\b.*(--visibility|public)|^repo (create)\b.*--public/, 'destructive', 'publish.gh-visibility', 'makes a repository public or changes its settings', 'publishing'],
    [/^pr merge\b/, 'caution', 'publish.gh-pr-merge', 'merges a pull request', 'publishing'],
    [/^(secret|variable) (set|delete|remove)\b/, 'caution', 'publish.gh-secret', 'changes repository secrets or variables', 'publishing'],
    [/^workflow run\b|^run (rerun|cancel|delete)\b/, 'caution', 'publish.gh-workflow', 'starts or changes CI workflow runs', 'publishing'],
    [/^api\b.*(-X|--method)\s*(DELETE|PUT|PATCH|POST)|^api\b.*(-f|-F|--field|--raw-field|--input)\b/i, 'caution', 'publish.gh-api-write', 'changes data through the GitHub API', 'publishing'],
    [/^(issue|pr) (delete|close|lock)\b|^label delete|^(gist delete|ssh-key delete|gpg-key delete|cache delete)/, 'caution', 'publish.gh-delete', 'closes or deletes data on GitHub', 'publishing'],
    [/^(auth (logout|refresh|token)|extension install)\b/, 'caution', 'publish.gh-auth', 'changes your GitHub CLI login or installs an extension', 'privilege'],
    [/^(pr|issue|repo|release|run|workflow|gist|search|auth status|api|browse|status|label|cache|codespace|project|ruleset|attestation|alias list|config get|config list|extension list|org list|help|version|--version)\b/, 'harmless', '', '', 'publishing'],
  ],
  'unknown',
);

/** gh: by sub-command; files it uploads (gist create, release upload) are read. */
const gh: Handler = (inv, out) => {
  ghRules(inv, out);
  const [a, b] = [inv.argv[1]?.value, inv.argv[2]?.value];
  if ((a === 'gist' && (b === 'create' || b === 'new' || b === 'edit')) || (a === 'release' && (b === 'upload' || b === 'create'))) {
    const ops = inv.argv.slice(3).filter((w, k, all) => !w.value.startsWith('-') && !/^-(d|desc|description|f|filename|t|title|n|notes|F|notes-file|target|repo|R)$/.test(all[k - 1]?.value ?? ''));
    for (const w of a === 'release' ? ops.slice(1) : ops) {
      if (w.value !== '-') {
        readTarget(inv, out, w, `gh ${a} ${b}`);
      }
    }
  }
};

const pip: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  const a = words(inv.argv.slice(1));
  if (a.includes('--break-system-packages') || (a[0] === 'install' && a.includes('--target') && a.some((x) => x.startsWith('/usr')))) {
    out.knowledge = 'known';
    add(out, finding('system', 'caution', 'system.pip-system', 'installs Python packages into the system interpreter'));
  }
  const sub = a.findIndex((x) => !x.startsWith('-'));
  if (a[sub] === 'config' && /^(set|unset|edit)$/.test(a[sub + 1] ?? '')) {
    out.knowledge = 'known';
    add(out, finding('remote-code', 'caution', 'pip.config-supply-chain', `changes pip's configuration, which decides where packages come from (${inv.program} config ${a.slice(sub + 1, sub + 3).join(' ')})`));
  }
};

function brewLikeRef(inv: Invocation, out: Outcome): void {
  brewLike(inv, out);
}

const brewLike: Handler = (inv, out) => {
  const a = words(inv.argv.slice(1));
  const sub = a.find((x) => !x.startsWith('-')) ?? '';
  out.knowledge = 'harmless';
  if (/^(remove|purge|autoremove|uninstall|erase|rm|dist-upgrade|full-upgrade)$/.test(sub)) {
    out.knowledge = 'known';
    add(out, finding('system', 'caution', 'system.package-remove', `removes system packages (${inv.program} ${a.join(' ')})`.slice(0, 100)));
  } else if (/^(install|upgrade|update|add|reinstall|tap|link|unlink|cask)$/.test(sub) && inv.program !== 'brew') {
    out.knowledge = 'known';
  }
};

const npx: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  const args = inv.argv.slice(1);
  const spec = specOf(inv.program);
  if (spec) {
    const given = parseWithSpec(spec, args);
    unknownOptions(inv, out, spec, given);
    applyOptionRoles(inv, out, { ...given, options: given.options.filter((o) => o.spec.role !== 'x') });
  }
  const call = args.findIndex((w) => w.value === '-c' || w.value === '--call' || w.value.startsWith('--call='));
  if (call >= 0) {
    const code = args[call].value.startsWith('--call=') ? { value: args[call].value.slice(7), literal: args[call].literal } : args[call + 1];
    if (code?.literal) {
      inv.env.runScript(code.value, inv.scope, 'bash');
    } else {
      out.knowledge = 'unknown';
    }
    return;
  }
  const i = skipOptions(args, ['p', 'package', 'c', 'call', 'node-options']);
  const rest = args.slice(i);
  if (rest.length) {
    const pkg = rest[0].value.replace(/(.)@[^/@]*$/, '$1').replace(/^@[^/]+\//, '');
    if (/^create-/.test(pkg)) {
      return;
    }
    out.stdout = inv.env.runArgv([lit(pkg), ...rest.slice(1)], inv.scope, inv.stdin, innerText([lit(pkg), ...rest.slice(1)]));
  }
};

/** just, task: run named recipes of the project's own task file. */
const taskRunner: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  const file = inv.argv.findIndex((w) => w.value === '-f' || w.value === '--file' || w.value === '--makefile');
  if (file >= 0) {
    const f = inv.argv[file + 1];
    if (!f || !f.literal || f.value === '-' || f.value.startsWith('/dev/')) {
      out.knowledge = 'unknown';
      return;
    }
  }
  const targets = inv.argv.slice(1).filter((w) => !w.value.startsWith('-') && !w.value.includes('='));
  if (targets.some((w) => /deploy|publish|release|destroy|drop|wipe|nuke|teardown|purge|prod/i.test(w.value))) {
    known(out);
    add(out, finding('publishing', 'caution', 'script.deploy-like', `runs the make target ${targets.map((w) => w.value).join(' ')}, whose name suggests it deploys, publishes or destroys something`));
  }
};

const goCmd: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  const sub = inv.argv[1]?.value ?? '';
  if (sub === 'run') {
    out.knowledge = 'harmless';
  }
};

/** `poetry run X`, `bundle exec X`, `uv run X`: the wrapped command is what runs. */
function runWrapper(verbs: string[]): Handler {
  return (inv, out) => {
    out.knowledge = 'harmless';
    const args = inv.argv.slice(1);
    const i = args.findIndex((w) => !w.value.startsWith('-'));
    if (i >= 0 && verbs.includes(args[i].value)) {
      const rest = args.slice(i + 1);
      const j = skipOptions(rest, ['with', 'python', 'p', 'directory', 'project', 'n', 'name', 'e', 'env-file', 'package', 'from']);
      if (rest.slice(j).length) {
        out.stdout = inv.env.runArgv(rest.slice(j), inv.scope, inv.stdin, innerText(rest.slice(j)));
      }
      return;
    }
    const fallback = runWrapperFallback(inv.program);
    if (fallback) {
      fallback(inv, out);
    }
  };
}

export const PACKAGES_HANDLERS: Record<string, Handler> = {
bundle: runWrapper(['exec']),
  pipenv: runWrapper(['run']),
  uvx: npx,
  pipx: runWrapper(['run']),
  conda: runWrapper(['run']),
  mamba: runWrapper(['run']),
  pixi: runWrapper(['run', 'exec']),
  rye: runWrapper(['run']),
  npm: pkgManager,
  pnpm: pkgManager,
  yarn: pkgManager,
  npx,
  pnpx: npx,
  bunx: npx,
  cargo,
  twine,
  poetry: runWrapper(['run']),
  flit: pyPublish('flit'),
  hatch: runWrapper(['run']),
  uv: runWrapper(['run', 'tool run']),
  pdm: runWrapper(['run']),
  gem,
  vsce,
  ovsx: vsce,
  mvn,
  mvnw: mvn,
  gradle,
  gradlew: gradle,
  dotnet,
  nuget,
  pod,
  gh,
  lerna: subcommandRules([[/\bpublish\b/, 'destructive', 'publish.lerna', 'publishes packages to the registry for everyone', 'publishing'], [/\bversion\b/, 'known', '', '', 'publishing']], 'harmless'),
  changeset: subcommandRules([[/\bpublish\b/, 'destructive', 'publish.changeset', 'publishes packages to the registry for everyone', 'publishing']], 'harmless'),
  'semantic-release': subcommandRules([[/--dry-run|-d\b/, 'harmless', '', '', 'publishing'], [/.?/, 'destructive', 'publish.semantic-release', 'creates a release and publishes it', 'publishing']], 'unknown'),
  pip,
  pip3: pip,
  brew: brewLike,
  apt: brewLike,
  'apt-get': brewLike,
  dnf: brewLike,
  yum: brewLike,
  pacman: brewLike,
  apk: brewLike,
  snap: brewLike,
  choco: brewLike,
  winget: brewLike,
  scoop: brewLike,
  just: taskRunner,
  task: taskRunner,
  go: goCmd,
};
