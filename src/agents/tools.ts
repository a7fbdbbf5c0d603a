/**
 * What a tool call does to files or the shell: `toolActions()` turns one call into proposed
 * actions, given the tool's kind from its agent's tool table (each agent module has one) and
 * where the arguments are (the synonyms below). Adapters only find the tool name, its input and
 * the working directory in their agent's payload.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProposedAction } from '../core/types';
import { PayloadError } from './adapter';
import { applyHunks, extractPatch, parsePatch, PatchSyntaxError, soleApplyPatchHeredoc } from './applyPatch';
import { existsNoFollow } from '../util/fsProbe';

/** What a tool does, as far as Airlock's guard is concerned. */
export type ToolKind =
  | 'shell' // runs a command line
  | 'powershell'
  | 'write' // whole new content
  | 'replace' // old/new string in one file
  | 'multiReplace' // several old/new pairs in one file (`edits`)
  | 'multiReplaceFiles' // old/new pairs across files (`replacements`)
  | 'searchReplaceBlocks' // Cline's SEARCH/REPLACE diff
  | 'patch' // apply_patch
  | 'sketch' // an edit whose result cannot be computed (insert_edit_into_file, notebooks)
  | 'read'
  | 'delete'
  | 'mkdir'
  | 'inert'; // agent-internal: no file or shell effect (todo lists, questions to the user)

/**
 * One agent's tools by name (looked up case-sensitively first, then case-insensitively). A tool
 * that is not in its agent's table is an unknown tool: the policy's unknown-tool default decides.
 */
export type ToolTable = Readonly<Record<string, ToolKind>>;

/** The kind of a tool in a table, exact name first, then ignoring case. */
export function toolKind(table: ToolTable, tool: string): ToolKind | undefined {
  if (Object.prototype.hasOwnProperty.call(table, tool)) {
    return table[tool];
  }
  const lower = tool.toLowerCase();
  for (const [name, kind] of Object.entries(table)) {
    if (name.toLowerCase() === lower) {
      return kind;
    }
  }
  return undefined;
}

const PATH_KEYS = ['file_path', 'filePath', 'path', 'notebook_path', 'absolute_path', 'target_file', 'dirPath', 'dir_path', 'filename'];
const CONTENT_KEYS = ['content', 'contents', 'file_text', 'text', 'code'];
const OLD_KEYS = ['old_string', 'oldString', 'old_str'];
const NEW_KEYS = ['new_string', 'newString', 'new_str'];
const COMMAND_KEYS = ['command', 'cmd', 'commandLine', 'command_line'];
const CWD_KEYS = ['workdir', 'cwd', 'directory', 'working_directory'];

/** Files larger than this are not read to compute proposed content. */
export const MAX_FILE_READ = 8 * 1024 * 1024;

export interface ToolCall {
  readonly agent: string;
  readonly tool: string;
  readonly input: Record<string, unknown>;
  readonly cwd: string;
  readonly session?: string;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The one string the tool reads from these synonyms. Two different values (`{"cmd": "rm -rf ~",
 * "command": "ls"}`) are refused: Airlock must judge what the agent's tool will use, not a decoy.
 */
function str(input: Record<string, unknown>, keys: readonly string[]): string | undefined {
  let found: string | undefined;
  for (const k of keys) {
    const v = input[k];
    if (typeof v === 'string') {
      if (found !== undefined && v !== found) {
        throw new PayloadError(`the tool input gives two different values for the same argument (${keys.filter((x) => typeof input[x] === 'string').map((x) => `'${x}'`).join(', ')})`);
      }
      found = v;
    }
  }
  return found;
}

function requireStr(call: ToolCall, keys: readonly string[], what: string): string {
  const v = str(call.input, keys);
  if (v === undefined || v === '') {
    throw new PayloadError(`${call.tool}: the tool input has no ${what} (expected a string in ${keys.map((k) => `'${k}'`).join(' or ')})`);
  }
  return v;
}

/** The current content of a file, or undefined when it does not exist or is too large to read. */
export function readCurrent(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > MAX_FILE_READ) {
      return undefined;
    }
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}


/** Replaces old with new (first occurrence, or all); undefined when old is not found. */
export function replaceIn(current: string, oldS: string, newS: string, all: boolean): string | undefined {
  if (oldS === '') {
    return current === '' ? newS : undefined;
  }
  const at = current.indexOf(oldS);
  if (at < 0) {
    return undefined;
  }
  return all ? current.split(oldS).join(newS) : current.slice(0, at) + newS + current.slice(at + oldS.length);
}

/** Cline's replace_in_file diff: blocks of `------- SEARCH` / `=======` / `+++++++ REPLACE`. */
export function applySearchReplaceBlocks(current: string, diff: string): string | undefined {
  const re = /^(?:-{3,} SEARCH|<{3,} SEARCH)\n([\s\S]*?)\n?^={3,}\n([\s\S]*?)\n?^(?:\+{3,} REPLACE|>{3,} REPLACE)$/gm;
  let out = current;
  let n = 0;
  for (const m of diff.replace(/\r\n/g, '\n').matchAll(re)) {
    const next = replaceIn(out, m[1], m[2], false);
    if (next === undefined) {
      return undefined;
    }
    out = next;
    n++;
  }
  return n === 0 ? undefined : out;
}

/** Quotes argv words for display as one bash command line. */
function joinArgv(argv: readonly string[]): string {
  return argv.map((w) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The command line of a shell tool: a string, or argv (`["bash","-lc","..."]` is unwrapped). */
function commandLine(call: ToolCall): string {
  const lines = new Set<string>();
  for (const k of COMMAND_KEYS) {
    const v = call.input[k];
    if (typeof v === 'string' && v.trim() !== '') {
      lines.add(v);
    } else if (Array.isArray(v) && v.length > 0 && v.every((w) => typeof w === 'string')) {
      const argv = v as string[];
      lines.add(argv.length === 3 && /(^|\/)(ba|z|da)?sh$/.test(argv[0]) && /^-l?c$/.test(argv[1]) ? argv[2] : joinArgv(argv));
    }
  }
  if (lines.size > 1) {
    // Which one the tool runs is the agent's business; Airlock will not guess (a decoy is the risk).
    throw new PayloadError(`${call.tool}: the tool input gives ${lines.size} different command lines`);
  }
  const [line] = lines;
  if (line === undefined) {
    throw new PayloadError(`${call.tool}: the tool input has no command line (expected a string in 'command')`);
  }
  return line;
}

/** The path itself when it cannot be resolved (it does not exist). */
function realpathOrSelf(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return p;
  }
}

/**
 * The file the operating system opens for `p` from `cwd`: each `..` goes up from where the symlinks
 * before it lead (`link/../x` is next to the link's target), while path.resolve goes up lexically.
 */
function physicalPath(cwd: string, p: string): string {
  let cur = path.isAbsolute(p) ? path.parse(p).root : cwd;
  for (const seg of p.split(/[\\/]+/)) {
    if (seg === '' || seg === '.') {
      continue;
    }
    cur = seg === '..' ? path.dirname(realpathOrSelf(cur)) : path.join(cur, seg);
  }
  return cur;
}

/**
 * The files one path argument may name, the likeliest first. Claude Code's file tools trim the
 * argument and expand `~` and `~/` to the home folder (its expandPath); other agents take it as
 * written, and some (Codex's apply_patch) hand `link/../x` to the operating system, which goes up
 * from the link's target. Every spelling is judged, so `~/.bashrc`, ` /etc/hosts` or
 * `link-to-elsewhere/../x` is never taken for a harmless file inside the workspace.
 */
export function pathSpellings(cwd: string, p: string, home = os.homedir()): [string, ...string[]] {
  const t = p.trim();
  const expanded = t === '~' ? home : t.startsWith('~/') ? path.join(home, t.slice(2)) : t;
  const out = [path.resolve(cwd, expanded), path.resolve(cwd, p)];
  if (/(^|[\\/])\.\.([\\/]|$)/.test(p)) {
    out.push(physicalPath(cwd, expanded), physicalPath(cwd, p));
  }
  return [...new Set(out)] as [string, ...string[]];
}

function base(call: ToolCall, cwd = call.cwd): Pick<ProposedAction, 'cwd' | 'agent' | 'tool' | 'session'> {
  return { cwd, agent: call.agent, tool: call.tool, ...(call.session !== undefined ? { session: call.session } : {}) };
}

/**
 * The tool call as proposed actions, the tool looked up in its agent's table. Throws PayloadError
 * when a known tool lacks its arguments.
 */
export function toolActions(call: ToolCall, table: ToolTable): ProposedAction[] {
  const kind = toolKind(table, call.tool);
  const abs = (p: string) => pathSpellings(call.cwd, p)[0];
  const all = (p: string) => pathSpellings(call.cwd, p);
  switch (kind) {
    case 'shell':
    case 'powershell': {
      const command = commandLine(call);
      const dir = str(call.input, CWD_KEYS);
      const cwd = dir !== undefined && dir !== '' ? abs(dir) : call.cwd;
      const asCommand: ProposedAction = { kind: 'command', paths: [], command, shell: kind === 'powershell' ? 'powershell' : 'bash', ...base(call, cwd) };
      const sole = soleApplyPatchHeredoc(command);
      if (sole !== undefined) {
        // Codex runs apply_patch as a shell word with a heredoc: guard it as the edits it makes.
        return patchActions({ ...call, cwd }, extractPatch(sole) ?? sole);
      }
      const patch = /\bapply_patch\b/.test(command) ? extractPatch(command) : undefined;
      // Anything else on the line is judged as a command as well as the edits of the patch.
      return patch !== undefined ? [...patchActions({ ...call, cwd }, patch), asCommand] : [asCommand];
    }
    case 'write': {
      const paths = all(requireStr(call, PATH_KEYS, 'file path'));
      const [file] = paths;
      const content = str(call.input, CONTENT_KEYS);
      return [{ kind: existsNoFollow(file) ? 'edit' : 'create', paths, ...(content !== undefined ? { content } : {}), ...base(call) }];
    }
    case 'replace': {
      const paths = all(requireStr(call, PATH_KEYS, 'file path'));
      const [file] = paths;
      const oldS = str(call.input, OLD_KEYS) ?? '';
      const newS = str(call.input, NEW_KEYS) ?? '';
      const every = call.input.replace_all === true || call.input.replaceAll === true || (typeof call.input.expected_replacements === 'number' && call.input.expected_replacements > 1);
      const current = readCurrent(file);
      if (current === undefined && !existsNoFollow(file)) {
        // An empty old string creates the file; otherwise the tool will fail, but it meant an edit.
        return [oldS === '' ? { kind: 'create', paths, content: newS, ...base(call) } : { kind: 'edit', paths, ...base(call) }];
      }
      const content = current === undefined ? undefined : replaceIn(current, oldS, newS, every);
      return [{ kind: 'edit', paths, ...(content !== undefined ? { content } : {}), ...base(call) }];
    }
    case 'multiReplace': {
      const paths = all(requireStr(call, PATH_KEYS, 'file path'));
      const [file] = paths;
      const edits = call.input.edits;
      if (!Array.isArray(edits)) {
        throw new PayloadError(`${call.tool}: the tool input has no 'edits' array`);
      }
      let content = readCurrent(file) ?? (existsNoFollow(file) ? undefined : '');
      for (const e of edits) {
        if (!isRecord(e)) {
          throw new PayloadError(`${call.tool}: every entry of 'edits' must be an object`);
        }
        if (content !== undefined) {
          content = replaceIn(content, str(e, OLD_KEYS) ?? '', str(e, NEW_KEYS) ?? '', e.replace_all === true || e.replaceAll === true);
        }
      }
      return [{ kind: existsNoFollow(file) ? 'edit' : 'create', paths, ...(content !== undefined ? { content } : {}), ...base(call) }];
    }
    case 'multiReplaceFiles': {
      const reps = call.input.replacements;
      if (!Array.isArray(reps)) {
        throw new PayloadError(`${call.tool}: the tool input has no 'replacements' array`);
      }
      const byFile = new Map<string, string | undefined>();
      const spellings = new Map<string, string[]>();
      for (const r of reps) {
        if (!isRecord(r)) {
          throw new PayloadError(`${call.tool}: every entry of 'replacements' must be an object`);
        }
        const [file, ...others] = all(requireStr({ ...call, input: r }, PATH_KEYS, 'file path'));
        spellings.set(file, [...new Set([...(spellings.get(file) ?? []), ...others])]);
        const cur = byFile.has(file) ? byFile.get(file) : readCurrent(file);
        byFile.set(file, cur === undefined ? undefined : replaceIn(cur, str(r, OLD_KEYS) ?? '', str(r, NEW_KEYS) ?? '', false));
      }
      return [...byFile].map(([file, content]) => ({ kind: 'edit' as const, paths: [file, ...(spellings.get(file) ?? [])], ...(content !== undefined ? { content } : {}), ...base(call) }));
    }
    case 'searchReplaceBlocks': {
      const paths = all(requireStr(call, PATH_KEYS, 'file path'));
      const [file] = paths;
      const diff = str(call.input, ['diff']) ?? '';
      const current = readCurrent(file);
      const content = current === undefined ? undefined : applySearchReplaceBlocks(current, diff);
      return [{ kind: 'edit', paths, ...(content !== undefined ? { content } : {}), patch: diff, ...base(call) }];
    }
    case 'patch': {
      const text = str(call.input, ['input', 'patch', 'patchText', 'command']);
      if (text === undefined) {
        throw new PayloadError(`${call.tool}: the tool input has no patch text (expected a string in 'input', 'patchText' or 'command')`);
      }
      const patch = extractPatch(text);
      if (patch === undefined) {
        throw new PayloadError(`${call.tool}: the patch has no '*** Begin Patch' line`);
      }
      return patchActions(call, patch);
    }
    case 'sketch': {
      const paths = all(requireStr(call, PATH_KEYS, 'file path'));
      return [{ kind: existsNoFollow(paths[0]) ? 'edit' : 'create', paths, ...base(call) }];
    }
    case 'read': {
      const one = str(call.input, PATH_KEYS);
      const many = Array.isArray(call.input.paths) ? call.input.paths.filter((p): p is string => typeof p === 'string') : [];
      const paths = [...new Set([...(one !== undefined && one !== '' ? [one] : []), ...many].flatMap(all))];
      if (/grep|search/i.test(call.tool)) {
        // a search reads the files below its folder that its glob/include picks (judged one by one)
        const dirs = paths.length ? paths : [call.cwd];
        const filter = str(call.input, ['glob', 'include']);
        if (!dirs.some(isFile)) {
          // every spelling of the folder (its real path too)
          return [{ kind: 'read', paths: dirs.map((dir) => path.join(dir, '**', filter && !filter.includes('/') ? filter : filter ? filter.replace(/^\/+/, '') : '*')), ...base(call) }];
        }
      }
      return [{ kind: 'read', paths: paths.length ? paths : [call.cwd], ...base(call) }];
    }
    case 'delete': {
      return [{ kind: 'delete', paths: all(requireStr(call, PATH_KEYS, 'file path')), ...base(call) }];
    }
    case 'mkdir': {
      return [{ kind: 'create', paths: all(requireStr(call, PATH_KEYS, 'directory path')), ...base(call) }];
    }
    case 'inert':
      return [];
    default:
      return [unknownToolAction(call)];
  }
}

/** Whether a path is an existing file (not a folder). */
function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** A tool Airlock does not know: the policy's unknown-tool default decides, with any paths it names. */
export function unknownToolAction(call: ToolCall): ProposedAction {
  const paths = new Set<string>();
  const visit = (v: unknown, key: string, depth: number) => {
    if (depth > 4) {
      return;
    }
    if (typeof v === 'string') {
      if (/path|file|dir/i.test(key) && v !== '' && v.length < 4096 && !v.includes('\n')) {
        pathSpellings(call.cwd, v).forEach((p) => paths.add(p));
      }
    } else if (Array.isArray(v)) {
      v.slice(0, 100).forEach((x) => visit(x, key, depth + 1));
    } else if (isRecord(v)) {
      Object.entries(v).slice(0, 100).forEach(([k, x]) => visit(x, k, depth + 1));
    }
  };
  visit(call.input, '', 0);
  // `command` carries the tool's name: a gate that ignores `unknownTool` then still sees an unknown
  // program (asked by default) instead of an empty command line (which has nothing to refuse).
  return { kind: 'command', paths: [...paths], command: call.tool, unknownTool: true, ...base(call) };
}

/** One action per file of an apply_patch, with the new content where it can be computed. */
export function patchActions(call: ToolCall, patch: string): ProposedAction[] {
  let ops;
  try {
    ops = parsePatch(patch);
  } catch (err) {
    if (err instanceof PatchSyntaxError) {
      throw new PayloadError(`${call.tool}: the patch cannot be parsed: ${err.message}`);
    }
    throw err;
  }
  if (ops.length === 0) {
    throw new PayloadError(`${call.tool}: the patch changes no file`);
  }
  const out: ProposedAction[] = [];
  for (const op of ops) {
    const paths = pathSpellings(call.cwd, op.path);
    const [file, ...others] = paths;
    if (op.type === 'add') {
      out.push({ kind: existsNoFollow(file) ? 'edit' : 'create', paths, content: op.content, patch: op.text, ...base(call) });
    } else if (op.type === 'delete') {
      out.push({ kind: 'delete', paths, patch: op.text, ...base(call) });
    } else {
      const current = readCurrent(file);
      const content = current === undefined ? undefined : applyHunks(current, op.hunks);
      if (op.moveTo !== undefined) {
        const toPaths = pathSpellings(call.cwd, op.moveTo);
        const [to] = toPaths;
        out.push({ kind: 'rename', paths: [file, to], patch: op.text, ...base(call) });
        if (others.length > 0) {
          out.push({ kind: 'delete', paths: others, patch: op.text, ...base(call) });
        }
        out.push({ kind: existsNoFollow(to) ? 'edit' : 'create', paths: toPaths, ...(content !== undefined ? { content } : {}), patch: op.text, ...base(call) });
      } else {
        out.push({ kind: 'edit', paths, ...(content !== undefined ? { content } : {}), patch: op.text, ...base(call) });
      }
    }
  }
  return out;
}
