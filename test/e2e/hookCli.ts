import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { projectRoot } from './harness';

export interface HookRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `airlock hook claude` (dist/cli.js) as Claude Code does for a Write of `file` in `folder`. */
export function claudeWrites(folder: string, file: string, content: string, env: NodeJS.ProcessEnv, session = 'e2e-cli'): Promise<HookRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'dist', 'cli.js'), 'hook', 'claude'], { cwd: folder, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(JSON.stringify({ session_id: session, transcript_path: '/dev/null', cwd: folder, hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: file, content } }));
  });
}
