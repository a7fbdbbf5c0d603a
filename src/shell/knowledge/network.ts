/** Downloads, uploads, remote hosts, encoders/decoders and text streams (what flows through a pipe). */
import * as path from 'node:path';
import { has, parseArgs, value } from '../args';
import { finding, lit, UNKNOWN_STREAM } from '../model';
import type { Invocation, Outcome } from '../model';
import { resolvePath } from '../paths';
import { add, deleteTarget, DOWNLOADED, known, readOnly, readTarget, resolveWord, words, writeTarget } from './common';
import type { Handler } from './common';
import { compressor } from './archives';
import { copiesInto } from './files';

/** Options in a curl config file (-K) that would write, upload, read or fetch files: those make it unknown. */
const CURL_CONFIG_EFFECTS = /^\s*-{0,2}(output|o|upload-file|T|data\S*|d|json|form\S*|F|url|config|K|cookie-jar|c|dump-header|D|trace\S*|stderr|etag-save|hsts|alt-svc|output-dir|create-dirs|netrc-file|key|cert|O|remote-name\S*|next|variable|write-out|w)\b/m;

/** curl -K file: the options it holds are read like the command's own; what Airlock cannot follow is asked. */
function curlConfig(inv: Invocation, out: Outcome, file: string): void {
  const abs = file === '-' ? undefined : resolvePath(file, inv.scope.cwd, inv.env.home);
  const text = abs === undefined ? undefined : inv.env.view.read(abs);
  if (text === undefined || CURL_CONFIG_EFFECTS.test(text)) {
    out.unknownReason ??= `${inv.program} -K ${file}: a config file whose options (output, upload, data) Airlock does not follow`;
  }
}

const curl: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['o', 'output', 'd', 'data', 'data-binary', 'data-raw', 'data-ascii', 'data-urlencode', 'F', 'form', 'form-string', 'T', 'upload-file', 'H', 'header', 'X', 'request', 'u', 'user', 'A', 'user-agent', 'e', 'referer', 'b', 'cookie', 'c', 'cookie-jar', 'x', 'proxy', 'm', 'max-time', 'connect-timeout', 'retry', 'w', 'write-out', 'K', 'config', 'cacert', 'cert', 'key', 'E', 'r', 'range', 'Y', 'y', 'z', 'C', 'D', 'dump-header', 'json', 'url', 'resolve', 'interface', 'limit-rate', 'max-filesize', 'oauth2-bearer', 'aws-sigv4', 'variable', 'expand-url', 'trace', 'trace-ascii', 'stderr', 'netrc-file']);
  const uploads: string[] = [];
  for (const k of ['d', 'data', 'data-binary', 'data-raw', 'data-ascii', 'data-urlencode', 'json']) {
    for (const v of p.values.get(k) ?? []) {
      if (k !== 'data-raw' && /^@|=@|^[^=]*@[^{}\s]*$/.test(v) && v.includes('@')) {
        uploads.push(v.replace(/^.*@/, ''));
      }
    }
  }
  for (const k of ['F', 'form']) {
    for (const v of p.values.get(k) ?? []) {
      if (/=[@<]/.test(v)) {
        uploads.push(v.replace(/^[^=]*=[@<]/, '').replace(/;.*$/, ''));
      }
    }
  }
  for (const k of ['T', 'upload-file']) {
    uploads.push(...(p.values.get(k) ?? []));
  }
  for (const u of [...p.operands.map((w) => w.value), ...(p.values.get('url') ?? [])]) {
    const f = /^file:\/\/(?:localhost)?(\/[^?#]*)/i.exec(u);
    if (f) {
      readTarget(inv, out, lit(decodeURIComponent(f[1]).replace(/\{[^}]*\}|\[[^\]]*\]/g, '*')), `${inv.program} file://`);
    }
  }
  for (const cfg of [...(p.values.get('K') ?? []), ...(p.values.get('config') ?? [])]) {
    curlConfig(inv, out, cfg);
  }
  const dynamicData = inv.argv.slice(1).some((w) => !w.literal && /\$\(|`/.test(w.value));
  if (uploads.length) {
    add(out, finding('exfiltration', 'destructive', 'exfil.curl-upload', `uploads ${uploads.join(', ')} to ${p.operands[0]?.value ?? value(p, 'url') ?? 'a remote server'}`));
  } else if (dynamicData) {
    add(out, finding('exfiltration', 'caution', 'exfil.curl-dynamic', 'sends data computed at run time to a remote server (for example the output of a command)'));
  }
  const o = value(p, 'o', 'output');
  if (o !== undefined || has(p, 'O', 'remote-name', 'remote-name-all')) {
    inv.env.written.set(DOWNLOADED, undefined);
  }
  if (o !== undefined) {
    writeTarget(inv, out, { value: o, literal: true });
    inv.env.written.set(resolvePath(o, inv.scope.cwd, inv.env.home), undefined);
  } else if (has(p, 'O', 'remote-name', 'remote-name-all')) {
    const url = p.operands[0]?.value ?? '';
    const name = url.split('?')[0].split('/').pop() || 'index.html';
    writeTarget(inv, out, lit(name));
    inv.env.written.set(resolvePath(name, inv.scope.cwd, inv.env.home), undefined);
  } else {
    out.stdout = { kind: 'download' };
  }
  if (!out.findings.length && inv.stdin.kind !== 'none' && (p.values.get('d') ?? p.values.get('data-binary') ?? []).some((v) => v === '@-')) {
    add(out, finding('exfiltration', 'destructive', 'exfil.curl-upload', 'uploads data piped into it to a remote server'));
  }
  if (out.stdout.kind !== 'download') {
    out.stdout = UNKNOWN_STREAM;
  }
};

const wget: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['O', 'output-document', 'P', 'directory-prefix', 'o', 'output-file', 'a', 'append-output', 'post-file', 'post-data', 'body-file', 'body-data', 'U', 'user-agent', 'header', 'method', 't', 'tries', 'T', 'timeout', 'e', 'execute', 'i', 'input-file', 'user', 'password', 'l', 'level']);
  const postFile = value(p, 'post-file', 'body-file');
  if (postFile) {
    add(out, finding('exfiltration', 'destructive', 'exfil.wget-upload', `uploads ${postFile} to a remote server`));
  }
  const o = value(p, 'O', 'output-document');
  if (o === '-') {
    out.stdout = { kind: 'download' };
    return;
  }
  inv.env.written.set(DOWNLOADED, undefined);
  if (o !== undefined) {
    writeTarget(inv, out, lit(o));
    inv.env.written.set(resolvePath(o, inv.scope.cwd, inv.env.home), undefined);
  } else {
    const dir = value(p, 'P', 'directory-prefix') ?? '.';
    const url = p.operands[0]?.value ?? '';
    const name = url.split('?')[0].split('/').pop() || 'index.html';
    writeTarget(inv, out, lit(path.join(dir, name)), 'create');
    inv.env.written.set(resolvePath(path.join(dir, name), inv.scope.cwd, inv.env.home), undefined);
  }
  out.stdout = UNKNOWN_STREAM;
};

function isRemote(arg: string): boolean {
  return /^[\w.-]+@[\w.-]+:|^[\w.-]+:(?!\/\/)|^(rsync|scp|sftp|ssh):\/\//.test(arg) && !/^[a-zA-Z]:[\\/]/.test(arg);
}

const scp: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['P', 'i', 'o', 'F', 'c', 'l', 'S', 'J', 'e', 'B', 'f', 'port', 'rsh', 'exclude', 'include', 'filter', 'log-file', 'password-file', 'chmod', 'chown', 'timeout', 'backup-dir', 'suffix', 'exclude-from', 'include-from', 'files-from', 'partial-dir', 'temp-dir', 'compare-dest', 'link-dest', 'copy-dest', 'max-size', 'min-size', 'bwlimit', 'out-format', 'info', 'debug']);
  const ops = [...p.operands];
  const dest = ops.pop();
  if (!dest) {
    readOnly(out);
    return;
  }
  for (const w of ops) {
    if (!isRemote(w.value)) {
      readTarget(inv, out, w, inv.program, true);
    }
  }
  if (isRemote(dest.value)) {
    add(out, finding('exfiltration', 'caution', 'exfil.copy-to-remote', `copies ${ops.map((w) => w.value).join(' ')} to the remote host ${dest.value.split(':')[0]}`));
    if (has(p, 'delete', 'delete-after', 'delete-before', 'delete-during', 'delete-excluded', 'del')) {
      add(out, finding('file-destruction', 'destructive', 'fs.rsync-delete-remote', 'deletes files on the remote host that are not in the source (--delete)'));
    }
  } else {
    writeTarget(inv, out, dest);
    const destAbs = resolveWord(inv, dest);
    if (destAbs && (dest.value.endsWith('/') || inv.env.view.isDir(destAbs))) {
      copiesInto(inv, out, ops.filter((w) => !isRemote(w.value)), destAbs, true, inv.program);
    }
    if (has(p, 'delete', 'delete-after', 'delete-before', 'delete-during', 'delete-excluded', 'del')) {
      deleteTarget(inv, out, dest.literal ? lit(dest.value.replace(/\/?$/, '/*')) : dest, true, 'deletes files not in the source from');
    }
  }
};

const netcat: Handler = (inv, out) => {
  known(out);
  add(out, finding('exfiltration', 'caution', 'exfil.netcat', `opens a raw network connection (${inv.program}), which can send files off the machine or open a shell to it`));
};

const ssh: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['p', 'i', 'o', 'F', 'l', 'L', 'R', 'D', 'J', 'c', 'm', 'b', 'E', 'e', 'I', 'O', 'Q', 'S', 'W', 'w', 'B']);
  if (has(p, 'V', 'G', 'Q')) {
    readOnly(out);
    return;
  }
  if (p.values.has('R')) {
    add(out, finding('exfiltration', 'caution', 'exfil.ssh-tunnel', 'opens a reverse tunnel from a remote host into this machine'));
  }
  const cmd = p.operands.slice(1);
  add(out, finding('exfiltration', 'caution', 'remote.ssh', cmd.length ? `runs "${words(cmd).join(' ').slice(0, 60)}" on the remote host ${p.operands[0]?.value ?? ''}` : `opens a shell on the remote host ${p.operands[0]?.value ?? ''}`));
};

const base64: Handler = (inv, out) => {
  readOnly(out);
  const decode = inv.argv.some((w) => /^(-d|-D|--decode|-[a-zA-Z]*d)$/.test(w.value));
  out.stdout = decode ? { kind: 'decoded' } : UNKNOWN_STREAM;
};

const decoder: Handler = (inv, out) => {
  readOnly(out);
  const decode = inv.program === 'xxd' ? inv.argv.some((w) => /^-r/.test(w.value)) : inv.program === 'openssl' ? inv.argv.some((w) => w.value === '-d' || w.value === 'base64' || w.value === 'enc') : true;
  out.stdout = decode ? { kind: inv.stdin.kind === 'download' ? 'download' : 'decoded' } : UNKNOWN_STREAM;
};

const passThrough: Handler = (inv, out) => {
  readOnly(out);
  const p = parseArgs(inv.argv.slice(1));
  out.stdout = p.operands.length === 0 && (inv.stdin.kind === 'download' || inv.stdin.kind === 'decoded' || inv.stdin.kind === 'literal') ? inv.stdin : UNKNOWN_STREAM;
  if (inv.program === 'cat' || inv.program === 'type') {
    const f = p.operands[0];
    const abs = f ? resolveWord(inv, f) : undefined;
    if (abs && inv.env.written.has(abs)) {
      const content = inv.env.written.get(abs);
      out.stdout = content === undefined ? { kind: 'download' } : { kind: 'literal', text: content };
    }
  }
};

const echo: Handler = (inv, out) => {
  readOnly(out);
  const args = inv.argv.slice(1);
  const i = inv.program === 'echo' ? args.findIndex((w) => !/^-[neE]+$/.test(w.value)) : 0;
  const rest = i < 0 ? [] : args.slice(i);
  if (rest.every((w) => w.literal)) {
    let text = words(rest).join(' ');
    if (inv.program === 'printf') {
      text = (rest[0]?.value ?? '').replace(/%s/g, () => '').replace(/\\n/g, '\n') + ' ' + words(rest.slice(1)).join(' ');
    }
    out.stdout = { kind: 'literal', text };
  } else if (rest.some((w) => /base64|xxd/.test(w.value))) {
    out.stdout = { kind: 'decoded' };
  } else {
    out.stdout = UNKNOWN_STREAM;
  }
};

/** openssl options whose value is a file it reads, and digest sub-commands whose operands are files read. */
const OPENSSL_READS = new Set(['-in', '-inkey', '-key', '-kfile', '-CAfile', '-CAkey', '-cert', '-certfile', '-signkey', '-sign', '-prvkey', '-prverify', '-verify', '-config', '-infiles', '-untrusted', '-recip', '-signer', '-peerkey', '-pubin_file', '-keyfile']);
const OPENSSL_WRITES = new Set(['-out', '-keyout', '-signature_out']);
const OPENSSL_VALUED = /^-(passin|passout|pass|k|md|sigopt|pkeyopt|hmac|mac|macopt|keyform|inform|outform|certform|days|subj|newkey|name|cipher|iter|salt|S|iv|K|engine|provider|propquery|signature|aes\S*|nameopt|set_serial|extensions|reqexts|extfile|section|rand|writerand|algorithm|pkeyopt|digest)$/;
const OPENSSL_DIGESTS = /^(dgst|md5|sha\d*|sha3-\d+|shake\d+|sm3|blake2\w*|rmd160|mdc2|base64|enc|pkeyutl|rsautl|cms|smime)$/;

/** openssl: decodes (see decoder), reads key and input files, writes -out/-keyout. */
function openssl(inv: Invocation, out: Outcome): void {
  decoder(inv, out);
  const args = inv.argv.slice(1);
  const sub = args[0]?.value ?? '';
  for (let i = 1; i < args.length; i++) {
    const a = args[i].value;
    const v = args[i + 1];
    if (OPENSSL_READS.has(a) && v) {
      if (!(a === '-in' && (sub === 'x509' || sub === 'crl'))) {
        // x509 and crl take only certificates from -in: a private key there is not printed
        readTarget(inv, out, v, `openssl ${sub} ${a}`);
      }
      i++;
    } else if (OPENSSL_WRITES.has(a) && v) {
      writeTarget(inv, out, v, 'write', `openssl ${sub} ${a}`);
      i++;
    } else if (/^-pass(in|out)?$/.test(a) && v) {
      if (/^file:/.test(v.value)) {
        readTarget(inv, out, { ...v, value: v.value.slice(5) }, `openssl ${sub} ${a}`);
      }
      i++;
    } else if (OPENSSL_VALUED.test(a)) {
      i++;
    } else if (!a.startsWith('-') && OPENSSL_DIGESTS.test(sub)) {
      readTarget(inv, out, args[i], `openssl ${sub}`);
    }
  }
}

export const NETWORK_HANDLERS: Record<string, Handler> = {
rsync: scp,
  scp,
  sftp: ssh,
  curl,
  wget,
  http: curl,
  xh: curl,
  nc: netcat,
  ncat: netcat,
  netcat: netcat,
  socat: netcat,
  telnet: netcat,
  ssh,
  mosh: ssh,
  ftp: netcat,
  base64,
  gbase64: base64,
  base32: base64,
  openssl,
  uudecode: decoder,
  gunzip: (inv, out) => (inv.argv.length === 1 || inv.argv.some((w) => w.value === '-c') ? decoder(inv, out) : compressor(inv, out)),
  zcat: decoder,
  rev: passThrough,
  cat: passThrough,
  tac: passThrough,
  tr: passThrough,
  head: passThrough,
  tail: passThrough,
  sort: passThrough,
  echo,
  printf: echo,
};
