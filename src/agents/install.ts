/**
 * Installs and removes Airlock's pre-tool hook in each agent's workspace configuration. Merges into
 * existing files (JSONC-aware: comments and formatting are kept), recognises its own entries by
 * the launcher path they run, is idempotent, and removes only its own entries.
 *
 * Every entry runs the committed launcher `.airlock/bin/airlock-hook <agent>`, which finds Airlock
 * on each teammate's machine (and keeps finding it after updates) and fails closed when it is
 * missing. The hook timeout written is longer than Airlock's approval wait.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, modify, parse, printParseErrorCode } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';
import type { AgentId } from './adapter';
import { AGENT_IDS } from './adapter';
import { ADAPTERS } from './adapters';
import type { FilesInstallSpec, JsonEntry, JsonInstallSpec } from './installSpec';
import { AGENT_HOOK_TIMEOUT_S, configFile, hookCommand, LAUNCHER } from './installSpec';
import { launcherScript } from './launcher';

export { LAUNCHER } from './installSpec';

type JSONPath = JsonEntry['path'];

export class InstallError extends Error {
  override readonly name = 'InstallError';
}

export interface InstallResult {
  readonly agent: AgentId;
  /** Workspace-relative files written or deleted (empty when nothing had to change). */
  readonly changed: readonly string[];
  /** The agent's hook configuration file(s), workspace-relative. */
  readonly files: readonly string[];
  readonly notes: readonly string[];
}

export interface AgentPresence {
  readonly agent: AgentId;
  /** The agent's name (from the agent registry). */
  readonly name: string;
  /** The agent's hook configuration file, workspace-relative. */
  readonly configFile: string;
  /** Some sign of the agent in the workspace (its config folder or file). */
  readonly found: boolean;
  /** Airlock's hook is in the agent's configuration. */
  readonly installed: boolean;
}

const FORMAT = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };

function parseConfig(text: string, file: string): Record<string, unknown> {
  const errors: ParseError[] = [];
  const v: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    throw new InstallError(`${file} is not valid JSON (${printParseErrorCode(errors[0].error)} at offset ${errors[0].offset}); fix it first, Airlock will not overwrite it`);
  }
  if (text.trim() === '') {
    return {};
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new InstallError(`${file} must hold a JSON object; Airlock will not overwrite it`);
  }
  return v as Record<string, unknown>;
}

function getAt(root: unknown, p: JSONPath): unknown {
  let v = root;
  for (const k of p) {
    if (typeof v !== 'object' || v === null) {
      return undefined;
    }
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function isOurs(v: unknown): boolean {
  return JSON.stringify(v ?? null).includes(LAUNCHER);
}

/** Removes Airlock's entries from the array at p (and our hooks inside mixed groups). */
function removeOurs(text: string, p: JSONPath, file: string): string {
  for (let guard = 0; guard < 1000; guard++) {
    const arr = getAt(parseConfig(text, file), p);
    if (!Array.isArray(arr)) {
      return text;
    }
    const i = arr.findIndex(isOurs);
    if (i < 0) {
      if (arr.length === 0) {
        text = applyEdits(text, modify(text, [...p], undefined, {}));
      }
      return text;
    }
    const e: unknown = arr[i];
    const inner = typeof e === 'object' && e !== null ? (e as Record<string, unknown>).hooks : undefined;
    if (Array.isArray(inner) && inner.some((h) => !isOurs(h))) {
      text = applyEdits(text, modify(text, [...p, i, 'hooks', inner.findIndex(isOurs)], undefined, {}));
    } else {
      text = applyEdits(text, modify(text, [...p, i], undefined, {}));
    }
  }
  throw new InstallError(`${file}: too many Airlock entries to remove`);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw err;
  }
}

function writeIfChanged(file: string, text: string, before: string | undefined, mode?: number): boolean {
  if (text === before) {
    return false;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Write to a temporary file and rename, so an interrupted install never leaves half a config.
  const tmp = `${file}.airlock-${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, mode !== undefined ? { mode } : {});
  if (mode !== undefined) {
    fs.chmodSync(tmp, mode);
  }
  fs.renameSync(tmp, file);
  return true;
}

function installJson(dir: string, spec: JsonInstallSpec, entries: readonly JsonEntry[]): boolean {
  const file = path.join(dir, spec.file);
  const before = readText(file);
  let text = before ?? '{}\n';
  let root = parseConfig(text, spec.file);
  if (before !== undefined && before.trim() === '') {
    text = '{}\n';
  }
  for (const [k, v] of Object.entries(spec.base ?? {})) {
    if (!(k in root)) {
      text = applyEdits(text, modify(text, [k], v, FORMAT));
    }
  }
  for (const { path: p, entry } of entries) {
    root = parseConfig(text, spec.file);
    const arr = getAt(root, p);
    if (arr !== undefined && !Array.isArray(arr)) {
      throw new InstallError(`${spec.file}: ${p.join('.')} must be an array; Airlock will not overwrite it`);
    }
    const ours = Array.isArray(arr) ? arr.filter(isOurs) : [];
    if (ours.length === 1 && sameJson(ours[0], entry)) {
      continue;
    }
    text = removeOurs(text, p, spec.file);
    const now = getAt(parseConfig(text, spec.file), p);
    // First in the array: comments trailing the existing last entry stay with it.
    text = Array.isArray(now)
      ? applyEdits(text, modify(text, [...p, 0], entry, { ...FORMAT, isArrayInsertion: true }))
      : applyEdits(text, modify(text, [...p], [entry], FORMAT));
  }
  if (!text.endsWith('\n')) {
    text += '\n';
  }
  return writeIfChanged(file, text, before);
}

function uninstallJson(dir: string, spec: JsonInstallSpec, entries: readonly JsonEntry[]): 'unchanged' | 'changed' | 'deleted' {
  const file = path.join(dir, spec.file);
  const before = readText(file);
  if (before === undefined) {
    return 'unchanged';
  }
  let text = before;
  for (const { path: p } of entries) {
    if (isOurs(getAt(parseConfig(text, spec.file), p))) {
      text = removeOurs(text, p, spec.file);
      // Remove parents left empty by the removal (e.g. "hooks": {}).
      for (let n = p.length - 1; n >= 1; n--) {
        const parent = getAt(parseConfig(text, spec.file), p.slice(0, n));
        if (typeof parent === 'object' && parent !== null && Object.keys(parent).length === 0) {
          text = applyEdits(text, modify(text, p.slice(0, n), undefined, {}));
        }
      }
    }
  }
  if (text === before) {
    return 'unchanged';
  }
  const rest = Object.keys(parseConfig(text, spec.file)).filter((k) => !(k === 'version' || k in (spec.base ?? {})));
  if (rest.length === 0 && !/\/\/|\/\*/.test(text)) {
    removeFile(dir, spec.file);
    return 'deleted';
  }
  writeIfChanged(file, text, before);
  return 'changed';
}

/** Deletes a file Airlock wrote and the folders it leaves empty, up to the workspace. */
function removeFile(ws: string, rel: string): void {
  fs.rmSync(path.join(ws, rel), { force: true });
  for (let d = path.dirname(path.join(ws, rel)); d.startsWith(ws + path.sep); d = path.dirname(d)) {
    try {
      fs.rmdirSync(d);
    } catch {
      break;
    }
  }
}

/** The entries of a JSON config for an agent, with Airlock's hook command and timeout. */
function entriesOf(agent: AgentId, spec: JsonInstallSpec, timeoutS = AGENT_HOOK_TIMEOUT_S): readonly JsonEntry[] {
  return spec.entries(hookCommand(agent, spec.projectDirVar, timeoutS), timeoutS);
}

function installLauncher(dir: string): boolean {
  const file = path.join(dir, LAUNCHER);
  return writeIfChanged(file, launcherScript(), readText(file), 0o755);
}

export interface InstallOptions {
  /** The agent's hook timeout in seconds (default 300: longer than Airlock's approval wait). */
  readonly timeoutS?: number;
}

/** Installs Airlock's hook for one agent in the workspace `dir` (idempotent). */
export function installHooks(agent: AgentId, dir: string, opts: InstallOptions = {}): InstallResult {
  const ws = path.resolve(dir);
  if (!fs.existsSync(ws) || !fs.statSync(ws).isDirectory()) {
    throw new InstallError(`${ws} is not a folder`);
  }
  const spec = ADAPTERS[agent].install;
  const changed: string[] = [];
  if (spec.kind === 'files') {
    changed.push(...installFiles(ws, agent, spec));
  } else if (installJson(ws, spec, entriesOf(agent, spec, opts.timeoutS))) {
    changed.push(spec.file);
  }
  // After the config (which may refuse to be changed); until then the entry fails closed.
  if (installLauncher(ws)) {
    changed.unshift(LAUNCHER);
  }
  return { agent, changed, files: filesOf(spec), notes: spec.notes };
}

/** The files of an agent's hook configuration, workspace-relative. */
function filesOf(spec: (typeof ADAPTERS)[AgentId]['install']): string[] {
  return spec.kind === 'json' ? [spec.file] : spec.files.map((f) => f.file);
}

/**
 * Writes an agent's hook files, after checking that none of them is someone else's (then nothing
 * is written). Returns the files changed.
 */
function installFiles(ws: string, agent: AgentId, spec: FilesInstallSpec): string[] {
  const before = spec.files.map((f) => readText(path.join(ws, f.file)));
  spec.files.forEach((f, i) => {
    const b = before[i];
    if (b !== undefined && !b.includes(LAUNCHER)) {
      throw new InstallError(`${f.file} already exists and is not Airlock's; move it away and run \`airlock install-hooks ${agent}\` again (Airlock will not overwrite it)`);
    }
  });
  return spec.files.filter((f, i) => writeIfChanged(path.join(ws, f.file), f.text, before[i], f.executable ? 0o755 : 0o644)).map((f) => f.file);
}

/** Removes Airlock's hook for one agent; the launcher goes too once no agent uses it. */
export function uninstallHooks(agent: AgentId, dir: string): InstallResult {
  const ws = path.resolve(dir);
  const spec = ADAPTERS[agent].install;
  const changed: string[] = [];
  if (spec.kind === 'files') {
    for (const f of spec.files) {
      if (readText(path.join(ws, f.file))?.includes(LAUNCHER)) {
        removeFile(ws, f.file);
        changed.push(f.file);
      }
    }
  } else if (uninstallJson(ws, spec, entriesOf(agent, spec)) !== 'unchanged') {
    changed.push(spec.file);
  }
  if (detectAgents(ws).every((p) => !p.installed) && fs.existsSync(path.join(ws, LAUNCHER))) {
    removeFile(ws, LAUNCHER);
    changed.push(LAUNCHER);
  }
  return { agent, changed, files: filesOf(spec), notes: [] };
}

function agentInstalled(ws: string, agent: AgentId): boolean {
  const spec = ADAPTERS[agent].install;
  if (spec.kind === 'files') {
    // Every file must be there: Cline's plugin without its hook refuses every call, and vice versa fails open.
    return spec.files.every((f) => readText(path.join(ws, f.file))?.includes(LAUNCHER) === true);
  }
  const text = readText(path.join(ws, spec.file));
  if (text === undefined || !text.includes(LAUNCHER)) {
    return false;
  }
  let root: Record<string, unknown>;
  try {
    root = parseConfig(text, spec.file);
  } catch {
    return false;
  }
  return entriesOf(agent, spec).some((e) => isOurs(getAt(root, e.path)));
}

/** Which agents show signs of use in the workspace, and whether Airlock's hook is installed. */
export function detectAgents(dir: string): AgentPresence[] {
  const ws = path.resolve(dir);
  return AGENT_IDS.map((agent) => {
    const spec = ADAPTERS[agent].install;
    const found = filesOf(spec).some((f) => fs.existsSync(path.join(ws, f))) || spec.signs.some((s) => fs.existsSync(path.join(ws, s)));
    return { agent, name: ADAPTERS[agent].displayName, configFile: configFile(spec), found, installed: agentInstalled(ws, agent) };
  });
}
