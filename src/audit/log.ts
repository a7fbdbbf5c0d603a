/**
 * The audit log: one JSON object per line, appended (O_APPEND) to a per-folder file in Airlock's
 * state directory, outside the workspace. Every entry carries the SHA-256 of the line before it, so
 * an edited or deleted entry breaks the chain and `verify` says where.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DecidedBy, Decision, ProposedAction, Verdict } from '../core/types';
import { lockSync } from '../util/fileLock';
import { sha256Hex } from '../util/sha256';
import { folderKey, stateDir } from '../util/stateDir';

export interface AuditEntry {
  /** ISO time. */
  readonly time: string;
  readonly folder: string;
  readonly agent: string;
  readonly tool?: string;
  readonly session?: string;
  /** 'sandbox': a sandboxed session started or ended, or the sandbox refused a connection. */
  readonly kind: ProposedAction['kind'] | 'rollback' | 'revert' | 'keep' | 'sandbox';
  readonly paths?: readonly string[];
  readonly command?: string;
  readonly verdict: Verdict;
  /** What enforce mode would have decided (differs from verdict in audit mode). */
  readonly wouldBe: Verdict;
  readonly mode: Decision['mode'];
  readonly decidedBy: DecidedBy;
  readonly reasons: readonly string[];
  readonly rules?: readonly string[];
  readonly snapshotId?: string;
  /** A reason typed by the human with a denial. */
  readonly message?: string;
  /** Where the decision was made: 'vscode' (the window) or 'cli' (the hook alone). */
  readonly via: 'vscode' | 'cli';
}

interface StoredEntry extends AuditEntry {
  /** SHA-256 (hex) of the previous line, or '' for the first. */
  readonly prev: string;
}

export function auditFile(folder: string, env?: NodeJS.ProcessEnv): string {
  return path.join(stateDir(env), 'audit', `${folderKey(folder)}.jsonl`);
}

function lastLine(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fs.fstatSync(fd).size;
    let chunk = 4096;
    while (chunk <= 1 << 24) {
      const start = Math.max(0, size - chunk);
      const buf = Buffer.alloc(size - start);
      fs.readSync(fd, buf, 0, buf.length, start);
      const text = buf.toString('utf8').replace(/\n$/, '');
      const nl = text.lastIndexOf('\n');
      if (nl >= 0 || start === 0) {
        return text.slice(nl + 1);
      }
      chunk *= 4;
    }
    return '';
  } finally {
    fs.closeSync(fd);
  }
}


/** Appends one entry. Never throws on a full or read-only disk: returns false instead. */
export function appendAudit(entry: AuditEntry, env?: NodeJS.ProcessEnv): boolean {
  const file = auditFile(entry.folder, env);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // The lock keeps the chain whole when several hooks append at once; without it (a crashed
    // holder, a slow disk) the entry is still written, and verify shows the break.
    const release = lockSync(`${file}.lock`);
    try {
      const prevLine = lastLine(file);
      const line = JSON.stringify({ ...entry, prev: prevLine ? sha256Hex(prevLine) : '' } satisfies StoredEntry);
      fs.appendFileSync(file, `${line}\n`, { mode: 0o600 });
    } finally {
      release?.();
    }
    return true;
  } catch {
    return false;
  }
}

/** Reads entries, oldest first; skips (and counts) unreadable lines. */
export function readAudit(folder: string, env?: NodeJS.ProcessEnv): { entries: AuditEntry[]; broken: number } {
  let text: string;
  try {
    text = fs.readFileSync(auditFile(folder, env), 'utf8');
  } catch {
    return { entries: [], broken: 0 };
  }
  const entries: AuditEntry[] = [];
  let broken = 0;
  for (const line of text.split('\n')) {
    if (!line) {
      continue;
    }
    try {
      const { prev: _prev, ...e } = JSON.parse(line) as StoredEntry;
      entries.push(e);
    } catch {
      broken++;
    }
  }
  return { entries, broken };
}

/**
 * Checks the hash chain; returns the 1-based line numbers where it breaks. `hash`: SHA-256 in hex
 * (node:crypto's is faster for a long log; the default avoids loading it).
 */
export function verifyAudit(folder: string, env?: NodeJS.ProcessEnv, hash: (s: string) => string = sha256Hex): number[] {
  let text: string;
  try {
    text = fs.readFileSync(auditFile(folder, env), 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n').filter(Boolean);
  const bad: number[] = [];
  lines.forEach((line, i) => {
    let prev: unknown;
    try {
      prev = (JSON.parse(line) as StoredEntry).prev;
    } catch {
      bad.push(i + 1);
      return;
    }
    const expected = i === 0 ? '' : hash(lines[i - 1]);
    if (prev !== expected) {
      bad.push(i + 1);
    }
  });
  return bad;
}

/** CSV of entries (RFC 4180 quoting), for export. */
export function auditToCsv(entries: readonly AuditEntry[]): string {
  const cols = ['time', 'agent', 'tool', 'kind', 'paths', 'command', 'verdict', 'wouldBe', 'mode', 'decidedBy', 'reasons', 'snapshotId', 'message', 'via'] as const;
  const cell = (v: unknown) => {
    const s = Array.isArray(v) ? v.join('; ') : v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...entries.map((e) => cols.map((c) => cell(e[c])).join(','))].join('\n') + '\n';
}
