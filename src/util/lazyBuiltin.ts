/**
 * Node modules that only some decisions need (git through child_process, gzip through zlib), loaded
 * the first time they are used rather than when a bundle loads: every hook call starts a process,
 * and most of them never run git or unpack an archive.
 */
import type * as ChildProcess from 'node:child_process';
import { createRequire } from 'node:module';
import type * as Zlib from 'node:zlib';

const load = createRequire(__filename);

export function childProcess(): typeof ChildProcess {
  return load('node:child_process') as typeof ChildProcess;
}

export function zlib(): typeof Zlib {
  return load('node:zlib') as typeof Zlib;
}
