/**
 * PowerShell (and cmd.exe through `cmd /c`): maps the common cmdlets and cmd built-ins onto the
 * same knowledge base as bash (Remove-Item -Recurse -Force -> rm -r -f, Set-Content -> a write,
 * iex (iwr ...) -> remote code), and hands external programs (git, npm, ...) to it unchanged.
 */
import type { Node } from '@vscode/tree-sitter-wasm';
import type { SubCommand } from '../core/types';
import { finding, lit, NO_STREAM, UNKNOWN_STREAM } from './model';
import type { Env, Scope, Stream, Word } from './model';
import { parseErrors } from './parser';
import { isWindowsPath, resolvePath } from './paths';

const DELETE = new Set(['remove-item', 'rm', 'del', 'erase', 'rd', 'rmdir', 'ri']);
const WRITE = new Set(['set-content', 'sc', 'add-content', 'ac', 'out-file', 'clear-content', 'clc', 'new-item', 'ni', 'tee-object', 'tee', 'export-csv', 'export-clixml', 'set-item', 'si', 'mkdir', 'md']);
const COPY = new Set(['copy-item', 'copy', 'cp', 'cpi', 'xcopy', 'robocopy']);
const MOVE = new Set(['move-item', 'move', 'mv', 'mi', 'rename-item', 'ren', 'rni']);
const IEX = new Set(['invoke-expression', 'iex']);
const WEB = new Set(['invoke-webrequest', 'iwr', 'invoke-restmethod', 'irm', 'wget', 'curl', 'start-bitstransfer']);
const HARMLESS = new Set(
  `get-childitem gci ls dir get-content gc cat type get-item gi get-itemproperty gp get-location gl pwd get-process gps ps get-service gsv get-command gcm get-help help man
  get-member gm get-date get-host get-variable gv get-alias gal get-module gmo get-psdrive gdr get-history h history get-filehash get-acl get-culture get-uiculture get-random
  get-computerinfo get-netipaddress get-nettcpconnection get-eventlog get-winevent get-package get-installedmodule get-executionpolicy get-clipboard get-unique get-error
  select-object select where-object where ? foreach-object foreach % sort-object sort group-object group measure-object measure compare-object compare diff select-string sls
  format-table ft format-list fl format-wide fw format-custom fc out-host oh out-null out-string out-gridview ogv write-host write-output echo write write-error write-warning write-verbose write-debug write-information write-progress
  convertto-json convertfrom-json convertto-csv convertfrom-csv convertto-html convertto-xml convertfrom-stringdata convertto-securestring test-path resolve-path rvpa split-path join-path
  test-connection test-netconnection resolve-dnsname start-sleep sleep clear-host cls clear import-module ipmo import-csv import-clixml new-object add-type read-host
  set-location sl cd chdir push-location pushd pop-location popd set-variable set sv new-variable nv clear-variable clv remove-variable rv get-culture where.exe tasklist
  measure-command trace-command get-job receive-job wait-job start-job remove-job invoke-command-noop set-strictmode set-psdebug get-pscallstack update-typedata ver systeminfo whoami hostname ipconfig`.split(/\s+/).filter(Boolean),
);

export function analyzePowerShell(root: Node, scope: Scope, env: Env): void {
  parseErrors(env, root);
  new PsWalker(env, isWindowsPath(scope.cwd)).walk(root, scope, NO_STREAM);
}


function hasDescendant(n: Node, test: (x: Node) => boolean): boolean {
  for (const c of n.namedChildren) {
    if (c && (test(c) || hasDescendant(c, test))) {
      return true;
    }
  }
  return false;
}

function unescape(t: string): string {
  return t.replace(/`(.)/g, '$1');
}

class PsWalker {
  /** The directory of the command being recorded. */
  private cwd = '';

  constructor(
    private readonly env: Env,
    private readonly windows: boolean,
  ) {}

  walk(n: Node, scope: Scope, stdin: Stream): Stream {
    if (n.type === 'pipeline_chain') {
      let s = stdin;
      for (const c of n.namedChildren) {
        if (!c) {
          continue;
        }
        s = c.type === 'command' ? this.command(c, scope, s) : (this.walk(c, scope, NO_STREAM), UNKNOWN_STREAM);
      }
      return s;
    }
    if (n.type === 'command') {
      return this.command(n, scope, stdin);
    }
    if (n.type === 'invokation_expression') {
      const t = n.text;
      if (/::\s*(Delete|WriteAll\w*|AppendAll\w*|Move|Copy|Replace|Create\w*|Encrypt|SetAttributes|SetEnvironmentVariable|Start|Kill|Exit)\s*\(|\.(Delete|MoveTo|CopyTo|Kill|Start|DownloadFile|UploadFile|UploadString|UploadData|Invoke\w*)\s*\(/i.test(t)) {
        this.record(t, [t], '', [finding('system', 'caution', 'ps.dotnet-call', `calls .NET directly (${t.slice(0, 60)}), which can change files, settings or run programs`)], 'known');
      } else if (/DownloadString|DownloadData|FromBase64String|Reflection|Assembly|Marshal|Activator|ScriptBlock/i.test(t)) {
        this.record(t, [t], '', [], 'unknown');
      }
    }
    if (n.type === 'pipeline' && !hasDescendant(n, (x) => x.type === 'command' || x.type === 'invokation_expression')) {
      // a plain expression or assignment ($PSVersionTable, $x = 1): nothing runs
      this.record(n.text, [n.text.slice(0, 60)], '', [], 'harmless');
    }
    let last: Stream = UNKNOWN_STREAM;
    for (const c of n.namedChildren) {
      if (c) {
        last = this.walk(c, scope, NO_STREAM);
      }
    }
    return last;
  }

  record(text: string, argv: string[], program: string, findings: SubCommand['findings'], knowledge: SubCommand['knowledge']): void {
    this.env.subcommands.push({ text, argv, program, cwd: this.cwd, findings, knowledge, writes: knowledge !== 'harmless' || findings.length > 0 });
  }

  word(n: Node): Word {
    switch (n.type) {
      case 'generic_token':
      case 'command_parameter':
      case 'command_name':
        return this.expand(unescape(n.text), n.text.includes('$'));
      case 'string_literal':
      case 'array_literal_expression':
      case 'unary_expression':
        if (n.namedChildCount === 1 && n.namedChild(0)) {
          return this.word(n.namedChild(0)!);
        }
        return { value: n.text, literal: false };
      case 'verbatim_string_characters':
      case 'verbatim_here_string_characters':
        return this.expand(n.text.replace(/^@?'/, '').replace(/'@?$/, '').replace(/''/g, "'"), false);
      case 'expandable_string_literal':
      case 'expandable_here_string_literal': {
        const inner = unescape(n.text.replace(/^@?"/, '').replace(/"@?$/, ''));
        return this.expand(inner, true);
      }
      case 'variable':
        return this.expand(n.text, true);
      default:
        if (!/[\s(){}"'@;|]/.test(n.text)) {
          return this.expand(unescape(n.text), n.text.includes('$'));
        }
        return { value: n.text, literal: !/[$(){}]/.test(n.text) };
    }
  }

  /** Known variables ($HOME, $env:USERPROFILE, $env:TEMP); anything else keeps the word dynamic. */
  expand(raw: string, vars: boolean): Word {
    // on a POSIX machine PowerShell accepts `\` as a path separator too
    const t = this.windows ? raw : raw.replace(/\\/g, '/');
    if (!vars) {
      return lit(t);
    }
    const v = t
      .replace(/\$\{?(env:USERPROFILE|env:HOME|HOME)\}?/gi, this.env.home)
      .replace(/\$\{?(env:TEMP|env:TMP)\}?/gi, '/tmp')
      .replace(/^~(?=$|[\\/])/, this.env.home);
    return { value: v, literal: !v.includes('$') && !v.includes('(') };
  }

  command(n: Node, scope: Scope, stdin: Stream): Stream {
    const nameNode = n.childForFieldName('command_name');
    if (!nameNode) {
      for (const c of n.namedChildren) {
        if (c) {
          this.walk(c, { ...scope }, NO_STREAM);
        }
      }
      return UNKNOWN_STREAM;
    }
    const nameWord = nameNode.type === 'command_name_expr' ? (nameNode.namedChild(0) ? this.word(nameNode.namedChild(0)!) : { value: nameNode.text, literal: false }) : this.word(nameNode);
    const args: Word[] = [];
    const redirects: Word[] = [];
    const elements = n.childForFieldName('command_elements');
    for (const c of elements?.namedChildren ?? []) {
      if (!c || c.type === 'command_argument_sep') {
        continue;
      }
      if (c.type === 'redirection') {
        const op = c.namedChildren.find((x) => x?.type === 'file_redirection_operator')?.text ?? '>';
        const f = c.namedChildren.find((x) => x?.type === 'redirected_file_name');
        const target = f?.namedChildren.find((x) => x && x.type !== 'command_argument_sep');
        if (target && !op.startsWith('<')) {
          redirects.push(this.word(target));
        }
        continue;
      }
      args.push(this.word(c));
      if (c.type !== 'generic_token' && c.type !== 'command_parameter') {
        this.walk(c, { ...scope }, NO_STREAM);
      }
    }
    const text = n.text;
    const start = this.env.subcommands.length;
    this.cwd = scope.cwd;
    const out = this.dispatch(nameWord, args, scope, stdin, text);
    if (redirects.length) {
      const sub = this.env.subcommands[start];
      const before = this.env.subcommands.length;
      for (const r of redirects) {
        if (/^\$null$/i.test(r.value)) {
          continue;
        }
        this.env.runArgv([lit('tee'), r], scope, NO_STREAM, text);
      }
      const extra = this.env.subcommands.splice(before);
      if (sub) {
        const findings = [...sub.findings, ...extra.flatMap((s) => s.findings)];
        this.env.subcommands[start] = { ...sub, findings, knowledge: findings.length && sub.knowledge === 'harmless' ? 'known' : sub.knowledge };
      }
    }
    return out;
  }

  dispatch(nameWord: Word, args: Word[], scope: Scope, stdin: Stream, text: string): Stream {
    const env = this.env;
    if (!nameWord.literal) {
      return env.runArgv([nameWord, ...args], scope, stdin, text);
    }
    const name = nameWord.value.split(/[\\/]/).pop()!.toLowerCase().replace(/\.exe$/, '');
    const params = (names: string[]) => {
      const found: Word[] = [];
      for (let i = 0; i < args.length; i++) {
        const a = args[i].value.toLowerCase();
        const m = a.match(/^-([a-z]+):?(.*)$/);
        if (m && names.some((nm) => nm.startsWith(m[1]) && m[1].length >= 2)) {
          if (m[2]) {
            found.push({ value: args[i].value.slice(m[1].length + 2), literal: args[i].literal });
          } else if (args[i + 1]) {
            found.push(args[i + 1]);
          }
        }
      }
      return found;
    };
    const switchOn = (names: string[], cmdSwitches: string[] = []) =>
      args.some((w) => {
        const a = w.value.toLowerCase();
        if (cmdSwitches.includes(a)) {
          return true;
        }
        const m = a.match(/^-([a-z]+)$/);
        return !!m && names.some((nm) => nm.startsWith(m[1]) && (m[1].length >= 1 && (m[1] === nm || m[1].length >= 2 || nm.length === 1)));
      });
    const VALUE_PARAMS = /^-(path|literalpath|destination|filter|include|exclude|value|encoding|itemtype|name|credential|filepath|outfile|infile|uri|method|body|headers|argumentlist|verb|workingdirectory|stream|delimiter|depth|inputobject|newname|type|erroraction|ea|ev|wa|ov)$/i;
    const positional = () => {
      const out: Word[] = [];
      for (let i = 0; i < args.length; i++) {
        const a = args[i].value;
        if (/^-[a-zA-Z]/.test(a)) {
          if (VALUE_PARAMS.test(a) && !a.includes(':')) {
            i++;
          }
          continue;
        }
        if (/^\/[a-zA-Z]$/.test(a)) {
          continue;
        }
        out.push(args[i]);
      }
      return out;
    };
    if (args.some((w) => /^-whatif(:\$true)?$/i.test(w.value)) && !['cmd', 'powershell', 'pwsh', 'invoke-expression', 'iex', 'start-process', 'saps', 'start'].includes(name)) {
      // -WhatIf only describes what the cmdlet would do
      this.record(text, [name, ...args.map((w) => w.value)], name, [], 'harmless');
      return UNKNOWN_STREAM;
    }
    if (DELETE.has(name)) {
      const recursive = switchOn(['recurse'], ['/s', '-r']);
      const paths = [...params(['path', 'literalpath']), ...positional()];
      const argv = [lit('rm'), ...(recursive ? [lit('-r')] : []), lit('--'), ...(paths.length ? paths : [{ value: '$input', literal: false }])];
      return env.runArgv(argv, scope, NO_STREAM, text);
    }
    if (WRITE.has(name)) {
      const paths = [...params(['path', 'literalpath', 'filepath']), ...positional().slice(0, 1)];
      for (const p of paths) {
        env.runArgv([lit('tee'), p], scope, NO_STREAM, text);
      }
      if (!paths.length) {
        this.record(text, [name], name, [], 'harmless');
      }
      return UNKNOWN_STREAM;
    }
    if (COPY.has(name) || MOVE.has(name)) {
      const src = params(['path', 'literalpath']);
      const dst = params(['destination', 'newname']);
      const pos = positional();
      const all = [...src, ...pos.slice(0, src.length ? 0 : pos.length - (dst.length ? 0 : 1)), ...(dst.length ? dst : pos.slice(-1))];
      if (name === 'robocopy' && args.some((w) => /^\/(mir|purge)$/i.test(w.value))) {
        env.runArgv([lit('rsync'), lit('--delete'), ...pos.slice(0, 2)], scope, NO_STREAM, text);
        return UNKNOWN_STREAM;
      }
      if ((name === 'rename-item' || name === 'ren' || name === 'rni') && all.length === 2 && all[0].literal && all[1].literal && !/[\\/]/.test(all[1].value)) {
        all[1] = lit(all[0].value.replace(/[^\\/]*$/, '') + all[1].value);
      }
      return env.runArgv([lit(MOVE.has(name) ? 'mv' : 'cp'), ...all], scope, NO_STREAM, text);
    }
    if (IEX.has(name)) {
      const code = args.filter((w) => !/^-command$/i.test(w.value));
      if (code.length && code.every((w) => w.literal)) {
        this.record(text, [name, ...code.map((w) => w.value)], name, [], 'harmless');
        env.runScript(code.map((w) => w.value).join(' '), scope, 'powershell');
        return UNKNOWN_STREAM;
      }
      const t = code.map((w) => w.value).join(' ');
      if (stdin.kind === 'download' || /iwr|irm|invoke-webrequest|invoke-restmethod|downloadstring|net\.webclient|curl|wget/i.test(t)) {
        this.record(text, [name, t], name, [finding('remote-code', 'destructive', 'remote.pipe-to-shell', 'runs PowerShell code downloaded from the internet without anyone reading it first')], 'known');
      } else if (stdin.kind === 'decoded' || /frombase64string|encodedcommand/i.test(t)) {
        this.record(text, [name, t], name, [finding('remote-code', 'destructive', 'remote.decoded-to-shell', 'runs decoded (obfuscated) PowerShell code')], 'known');
      } else {
        this.record(text, [name, t], name, [finding('remote-code', 'caution', 'shell.eval-dynamic', `evaluates text built at run time (${t.slice(0, 60)}), which Airlock cannot read`)], 'unknown');
      }
      return UNKNOWN_STREAM;
    }
    if (WEB.has(name) && (args.length === 0 || args.some((w) => /^-[A-Z][a-z]/.test(w.value)) || name.startsWith('invoke') || name === 'iwr' || name === 'irm')) {
      const findings = [];
      for (const f of params(['outfile'])) {
        env.runArgv([lit('tee'), f], scope, NO_STREAM, text);
      }
      const inFile = params(['infile']);
      if (inFile.length) {
        findings.push(finding('exfiltration', 'destructive', 'exfil.curl-upload', `uploads ${inFile.map((w) => w.value).join(', ')} to a remote server`));
      } else if (params(['body']).some((w) => !w.literal)) {
        findings.push(finding('exfiltration', 'caution', 'exfil.curl-dynamic', 'sends data computed at run time to a remote server'));
      }
      this.record(text, [name, ...args.map((w) => w.value)], name, findings, 'known');
      return params(['outfile']).length ? UNKNOWN_STREAM : { kind: 'download' };
    }
    if (name === 'powershell' || name === 'pwsh') {
      for (let i = 0; i < args.length; i++) {
        const a = args[i].value.toLowerCase();
        if (/^-(e|ec|enc|encodedcommand|encoded\w*)$/.test(a)) {
          this.record(text, [name, ...args.map((w) => w.value)], name, [finding('remote-code', 'destructive', 'remote.decoded-to-shell', 'runs base64-encoded PowerShell (-EncodedCommand), which hides what it does')], 'known');
          return UNKNOWN_STREAM;
        }
        if (/^-(c|command)$/.test(a)) {
          const rest = args.slice(i + 1);
          this.record(text, [name, ...args.map((w) => w.value)], name, [], rest.every((w) => w.literal) ? 'harmless' : 'unknown');
          env.runScript(rest.map((w) => w.value).join(' '), scope, 'powershell');
          return UNKNOWN_STREAM;
        }
        if (/^-(f|file)$/.test(a)) {
          return env.runArgv([lit('source'), args[i + 1] ?? { value: '$file', literal: false }], scope, stdin, text);
        }
        if (/^-(executionpolicy|ep|ex|windowstyle|w|workingdirectory|wd|configurationname|outputformat|of|inputformat|if)$/.test(a)) {
          i++;
        }
      }
      if (stdin.kind === 'download' || stdin.kind === 'decoded') {
        this.record(text, [name], name, [finding('remote-code', 'destructive', 'remote.pipe-to-shell', 'runs downloaded or decoded code with PowerShell')], 'known');
      } else {
        this.record(text, [name], name, [], 'unknown');
      }
      return UNKNOWN_STREAM;
    }
    if (name === 'cmd') {
      const i = args.findIndex((w) => /^\/[ck]$/i.test(w.value));
      const rest = i >= 0 ? args.slice(i + 1) : [];
      this.record(text, [name, ...args.map((w) => w.value)], name, [], rest.length && rest.every((w) => w.literal) ? 'harmless' : 'unknown');
      if (rest.length) {
        env.runScript(rest.map((w) => w.value).join(' ').replace(/&&?/g, ';').replace(/\|\|/g, ';'), scope, 'powershell');
      }
      return UNKNOWN_STREAM;
    }
    if (['format-volume', 'clear-disk', 'initialize-disk', 'remove-partition', 'format', 'diskpart', 'cipher'].includes(name) && !(name === 'cipher' && !args.some((w) => /^\/w/i.test(w.value)))) {
      this.record(text, [name, ...args.map((w) => w.value)], name, [finding('system', 'catastrophic', 'system.mkfs', `formats or erases a disk (${name})`)], 'known');
      return UNKNOWN_STREAM;
    }
    if (['stop-computer', 'restart-computer'].includes(name)) {
      this.record(text, [name], name, [finding('system', 'destructive', 'system.shutdown', 'shuts down or restarts the machine, ending all running work')], 'known');
      return UNKNOWN_STREAM;
    }
    if (['stop-process', 'spps', 'kill', 'taskkill', 'stop-service', 'spsv', 'restart-service'].includes(name)) {
      const critical = args.some((w) => /^(csrss|wininit|winlogon|lsass|smss|services|svchost|system)$/i.test(w.value));
      this.record(text, [name, ...args.map((w) => w.value)], name, [finding('system', critical ? 'catastrophic' : 'caution', critical ? 'system.kill-init' : 'system.kill', critical ? 'kills a process Windows depends on' : 'stops running processes or services')], 'known');
      return UNKNOWN_STREAM;
    }
    if (['set-executionpolicy', 'set-itemproperty', 'sp', 'new-itemproperty', 'remove-itemproperty', 'rp', 'reg', 'set-service', 'new-service', 'register-scheduledtask', 'schtasks', 'set-mppreference', 'add-mppreference', 'netsh', 'bcdedit', 'set-acl', 'icacls', 'takeown'].includes(name)) {
      const registry = args.some((w) => /^(HKLM|HKEY_LOCAL_MACHINE|HKCU|HKEY_CURRENT_USER)/i.test(w.value));
      const sev = ['bcdedit', 'set-mppreference', 'add-mppreference'].includes(name) || (name === 'reg' && /delete/i.test(args[0]?.value ?? '')) ? 'destructive' : 'caution';
      this.record(text, [name, ...args.map((w) => w.value)], name, [finding('system', sev, 'system.windows-config', `changes Windows system configuration${registry ? ' in the registry' : ''} (${name})`)], 'known');
      return UNKNOWN_STREAM;
    }
    if (name === 'start-process' || name === 'saps' || name === 'start') {
      const file = params(['filepath'])[0] ?? positional()[0];
      const argList = params(['argumentlist']);
      const elevated = params(['verb']).some((w) => /runas/i.test(w.value));
      this.record(text, [name, ...args.map((w) => w.value)], name, elevated ? [finding('privilege', 'caution', 'privilege.sudo', 'starts a program as administrator (-Verb RunAs)')] : [], 'known');
      if (file) {
        return env.runArgv([file, ...argList.flatMap((w) => (w.literal ? w.value.split(/[\s,]+/).filter(Boolean).map((x) => lit(x.replace(/^['"]|['"]$/g, ''))) : [w]))], scope, NO_STREAM, text);
      }
      return UNKNOWN_STREAM;
    }
    if (['set-location', 'sl', 'cd', 'chdir', 'push-location', 'pushd'].includes(name)) {
      const target = params(['path', 'literalpath'])[0] ?? positional()[0];
      if (!target) {
        scope.cwd = env.home;
      } else if (target.literal) {
        scope.cwd = resolvePath(target.value, scope.cwd, env.home);
      } else {
        scope.cwdKnown = false;
      }
      this.record(text, [name, ...args.map((w) => w.value)], name, [], 'harmless');
      return NO_STREAM;
    }
    if (name === 'echo' || name === 'write-output' || name === 'write') {
      this.record(text, [name, ...args.map((w) => w.value)], name, [], 'harmless');
      return args.every((w) => w.literal) ? { kind: 'literal', text: args.map((w) => w.value).join(' ') } : UNKNOWN_STREAM;
    }
    if (HARMLESS.has(name)) {
      this.record(text, [name, ...args.map((w) => w.value)], name, [], 'harmless');
      return UNKNOWN_STREAM;
    }
    if (name === 'invoke-command' || name === 'icm' || name === 'invoke-item' || name === 'ii' || name === '&' || name === '.') {
      this.record(text, [name, ...args.map((w) => w.value)], name, [], 'unknown');
      return UNKNOWN_STREAM;
    }
    // external programs: the bash knowledge base understands their arguments
    return env.runArgv([lit(name), ...args], scope, stdin, text);
  }
}
