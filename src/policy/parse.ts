/**
 * Reads a policy file's text (JSONC) and validates it against schemas/policy.schema.json with ajv,
 * giving every problem a line and column. Pure: no I/O.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Node, ParseError } from 'jsonc-parser';
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import { validate as generatedValidate } from './generatedPolicyValidator';
import type { PolicyFile } from './policyFile';

export type JsonPath = readonly (string | number)[];

export interface PolicyProblem {
  /** The file's path (or 'settings'). */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units like VS Code's columns. */
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** 0-based offset and length in the text. */
  readonly offset: number;
  readonly length: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
  /**
   * What found it: the JSON parser ('syntax'), the JSON Schema ('schema': VS Code's JSON language
   * service reports these too in an open editor), or Airlock's own checks ('semantic'). Absent: other.
   */
  readonly kind?: 'syntax' | 'schema' | 'semantic';
}

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** A parsed policy file: the value when valid, the problems, and a way to find where a key is written. */
export interface ParsedPolicy {
  readonly source: string;
  /** Undefined when the file has any error. */
  readonly file: PolicyFile | undefined;
  readonly problems: readonly PolicyProblem[];
  /** Where the value at `path` (e.g. ['paths', '.env*']) is written; the key's position for an object member. */
  readonly locate: (path: JsonPath) => SourcePosition | undefined;
}

/**
 * The schema validator: schemas/policy.schema.json compiled by ajv at build time
 * (scripts/lib/policyValidator.mjs), so a CLI start does not pay ~100 ms to compile it.
 */
export function schemaValidator(): ValidateFunction {
  return generatedValidate as unknown as ValidateFunction;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      starts.push(i + 1);
    } else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) {
        i++;
      }
      starts.push(i + 1);
    }
  }
  return starts;
}

function positionAt(starts: number[], offset: number): SourcePosition {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

/** `paths[".env*"].write`: a JSON path as a reader would write it. */
export function describePath(path: JsonPath): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') {
      s += `[${seg}]`;
    } else if (/^[A-Za-z_$][\w$-]*$/.test(seg) && !seg.includes('-')) {
      s += s ? `.${seg}` : seg;
    } else {
      s += `[${JSON.stringify(seg)}]`;
    }
  }
  return s || '(top level)';
}

function decodePointer(pointer: string): (string | number)[] {
  if (!pointer) {
    return [];
  }
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The member (key + value) node named `key` of an object node. */
function memberNode(obj: Node | undefined, key: string): Node | undefined {
  return obj?.type === 'object' ? obj.children?.find((p) => p.children?.[0]?.value === key) : undefined;
}

/** The node for a path, resolving numeric-looking segments the way the document has them. */
function nodeAt(root: Node, path: JsonPath): Node | undefined {
  return findNodeAtLocation(root, inDocument(root, path));
}

/** A path whose numeric-looking segments are list indexes where the document has a list there. */
function inDocument(root: Node, path: JsonPath): (string | number)[] {
  const out: (string | number)[] = [];
  let node: Node | undefined = root;
  for (const seg of path) {
    const index: string | number = typeof seg === 'string' && /^\d+$/.test(seg) && node?.type === 'array' ? Number(seg) : seg;
    out.push(index);
    node = node ? findNodeAtLocation(node, [index]) : undefined;
  }
  return out;
}

function typeName(v: unknown): string {
  return Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function messageFor(e: ErrorObject, path: JsonPath, unions: ReadonlySet<string> = new Set()): string {
  const where = describePath(path);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = known.length ? ` (expected one of: ${known.join(', ')})` : '';
      return `${where}: unknown key "${String(p.additionalProperty)}"${hint}`;
    }
    case 'enum':
      return `${where}: ${JSON.stringify(e.data)} is not allowed; use one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type': {
      const t = String(p.type);
      if (t === 'object' && unions.has(e.instancePath)) {
        return `${where}: expected "allow", "ask", "deny" or an object, not ${typeName(e.data)}`;
      }
      return `${where}: expected ${t === 'array' ? 'a list' : t === 'object' ? 'an object' : `a ${t}`}, not ${typeName(e.data)}`;
    }
    case 'required':
      return `${where}: "${String(p.missingProperty)}" is required`;
    case 'minProperties':
      return `${where}: must not be empty (name at least one of read, write, create, delete)`;
    case 'pattern':
    case 'not': {
      // The schema says in its own words what a value must look like ("x-message").
      const own = (e.keyword === 'not' ? (e.schema as Record<string, unknown>) : (e.parentSchema as Record<string, unknown> | undefined))?.['x-message'];
      return `${where}: ${JSON.stringify(e.data)}: ${typeof own === 'string' ? own : (e.message ?? 'is not valid')}`;
    }
    default:
      return `${where}: ${e.message ?? 'is not valid'}`;
  }
}

/** Checks that cannot be expressed in the schema: duplicate keys, regular expressions that do not compile. */
function semanticChecks(root: Node, add: (node: Node, message: string) => void): void {
  const walk = (n: Node, path: JsonPath): void => {
    if (n.type === 'object') {
      const seen = new Set<string>();
      for (const prop of n.children ?? []) {
        const keyNode = prop.children?.[0];
        const key = String(keyNode?.value);
        if (keyNode && seen.has(key)) {
          add(keyNode, `${describePath([...path, key])}: duplicate key; only one of them would count`);
        }
        seen.add(key);
        const value = prop.children?.[1];
        if (value) {
          walk(value, [...path, key]);
        }
      }
    } else if (n.type === 'array') {
      (n.children ?? []).forEach((c, i) => walk(c, [...path, i]));
    }
  };
  walk(root, []);
  const checkCommands = (obj: Node | undefined, path: JsonPath) => {
    for (const prop of obj?.type === 'object' ? (obj.children ?? []) : []) {
      const keyNode = prop.children?.[0];
      const key = String(keyNode?.value ?? '');
      if (keyNode && isRegexPattern(key)) {
        const err = regexError(key);
        if (err) {
          add(keyNode, `${describePath([...path, key])}: not a valid regular expression: ${err}`);
        }
      } else if (keyNode && key.trim() === '') {
        add(keyNode, `${describePath([...path, key])}: an empty command pattern matches nothing`);
      }
    }
  };
  checkCommands(memberNode(root, 'commands')?.children?.[1], ['commands']);
  const agents = memberNode(root, 'agents')?.children?.[1];
  for (const a of agents?.type === 'object' ? (agents.children ?? []) : []) {
    const name = String(a.children?.[0]?.value);
    checkCommands(memberNode(a.children?.[1], 'commands')?.children?.[1], ['agents', name, 'commands']);
  }
}

/** `/.../flags`: a command pattern that is a regular expression. */
export function isRegexPattern(p: string): boolean {
  return /^\/.+\/[a-z]*$/s.test(p);
}

export function regexError(p: string): string | undefined {
  const m = /^\/(.+)\/([a-z]*)$/s.exec(p);
  if (!m) {
    return 'not of the form /regex/flags';
  }
  try {
    new RegExp(m[1], m[2]);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') : String(err);
  }
}

/** Parses and validates one policy file's text. */
export function parsePolicyText(text: string, source: string): ParsedPolicy {
  const starts = lineStarts(text);
  const problems: PolicyProblem[] = [];
  const add = (offset: number, length: number, message: string, kind?: PolicyProblem['kind'], severity: 'error' | 'warning' = 'error') => {
    const s = positionAt(starts, offset);
    const e = positionAt(starts, offset + length);
    problems.push({ file: source, line: s.line, column: s.column, endLine: e.line, endColumn: e.column, offset, length, message, severity, ...(kind ? { kind } : {}) });
  };
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  for (const e of errors) {
    add(e.offset, e.length, `JSON syntax error: ${syntaxMessage(printParseErrorCode(e.error))}`, 'syntax');
  }
  const locate = (path: JsonPath): SourcePosition | undefined => {
    if (!root) {
      return undefined;
    }
    const parentPath = path.slice(0, -1);
    const last = path[path.length - 1];
    const parent = parentPath.length ? nodeAt(root, parentPath) : root;
    const member = typeof last === 'string' ? memberNode(parent, last) : undefined;
    const node = member ?? (path.length ? nodeAt(root, path) : root);
    return node ? positionAt(starts, node.offset) : undefined;
  };
  if (!root) {
    if (errors.length === 0) {
      add(0, 0, 'the policy file is empty; write {} for no rules of your own');
    }
    return { source, file: undefined, problems, locate };
  }
  if (errors.length > 0) {
    return { source, file: undefined, problems, locate };
  }
  const value: unknown = getNodeValue(root);
  const validate = schemaValidator();
  if (!validate(value)) {
    const unions = new Set((validate.errors ?? []).filter((e) => e.keyword === 'if').map((e) => e.instancePath));
    for (const e of validate.errors ?? []) {
      if (e.keyword === 'if') {
        continue;
      }
      const path = inDocument(root, decodePointer(e.instancePath));
      let node: Node | undefined = path.length ? nodeAt(root, path) : root;
      if (e.keyword === 'additionalProperties') {
        node = memberNode(node, String((e.params as { additionalProperty: string }).additionalProperty))?.children?.[0] ?? node;
      } else if (path.length && typeof path[path.length - 1] === 'string' && (e.keyword === 'propertyNames' || e.keyword === 'minLength')) {
        node = node ?? root;
      }
      node = node ?? root;
      const message = messageFor(e, path, unions);
      if (!problems.some((p) => p.offset === node.offset && p.message === message)) {
        add(node.offset, node.length, message, 'schema');
      }
    }
  }
  semanticChecks(root, (node, message) => add(node.offset, node.length, message, 'semantic'));
  problems.sort((a, b) => a.offset - b.offset);
  const hasError = problems.some((p) => p.severity === 'error');
  return { source, file: hasError ? undefined : (value as PolicyFile), problems, locate };
}

/** Validates a value that has no text (the `airlock.policy` user setting): messages without positions. */
export function validatePolicyValue(value: unknown): string[] {
  const validate = schemaValidator();
  if (validate(value)) {
    return [];
  }
  const errors = validate.errors ?? [];
  const unions = new Set(errors.filter((e) => e.keyword === 'if').map((e) => e.instancePath));
  return errors.filter((e) => e.keyword !== 'if').map((e) => messageFor(e, decodePointer(e.instancePath), unions));
}

function syntaxMessage(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'invalid number',
    PropertyNameExpected: 'a property name in double quotes is expected',
    ValueExpected: 'a value is expected',
    ColonExpected: 'a colon is expected',
    CommaExpected: 'a comma is expected',
    CloseBraceExpected: 'a closing brace } is expected',
    CloseBracketExpected: 'a closing bracket ] is expected',
    EndOfFileExpected: 'nothing may follow the top-level object',
    InvalidCommentToken: 'invalid comment',
    UnexpectedEndOfComment: 'the comment is not closed',
    UnexpectedEndOfString: 'the string is not closed',
    UnexpectedEndOfNumber: 'the number is not complete',
    InvalidUnicode: 'invalid unicode escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character',
  };
  return words[code] ?? code;
}
