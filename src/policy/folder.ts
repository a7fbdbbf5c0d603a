/**
 * Which folder's policy applies to an agent's action: one rule, the same in the VS Code window, the
 * headless hook, `airlock check` and `airlock policy explain`.
 *
 * The folder is the deepest *known* folder that contains the agent's working directory. Known folders
 * are the ones a human chose: the window's workspace folders, or for the headless hook the workspace
 * the hook was installed for (the committed launcher passes its own folder as AIRLOCK_WORKSPACE).
 * When no known folder contains the cwd, the first known folder still decides (for the hook: the one
 * it was installed for), so every path is judged as outside that folder under its policy, never under
 * the looser policy of a folder the agent moved to or just created. Only when nothing is known (an old
 * launcher, the CLI run by hand, an empty window) is the folder searched for from the cwd.
 *
 * A VS Code window knows its workspace folders, and a hook's request tells it the folder the hook
 * was installed for: when that is one of the window's folders, it alone is known (windowKnownFolders),
 * exactly as for the headless hook, so an agent that moves its cwd into another folder of the window
 * (a command's `workdir`, a `cd`) is not judged by that folder's policy.
 *
 * The target path does not choose the folder: an agent working in one folder that edits another
 * folder's file is judged by its own folder's policy (as outside it), so a multi-root window and the
 * headless hook, which knows only its own folder, give the same answer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isBroadRoot, searchFolder } from './load';

function realpathOrSelf(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return p;
  }
}

/** Whether `p` is `folder` or inside it (both absolute and normalised). */
export function isInside(folder: string, p: string): boolean {
  if (p === folder) {
    return true;
  }
  const prefix = folder.endsWith(path.sep) ? folder : folder + path.sep;
  return p.startsWith(prefix);
}

/**
 * The folder whose policy applies to an agent working in `cwd`, given the known folders in order of
 * preference (the first is the fallback when none contains the cwd). Symlinks are resolved on both
 * sides, so a cwd reached through a link still finds its folder; the known folder is returned as given.
 */
export function policyFolder(cwd: string, known: readonly string[]): string {
  const from = path.resolve(cwd);
  const usable = known.map((k) => path.resolve(k)).filter((k) => !isBroadRoot(k));
  if (usable.length === 0) {
    return searchFolder(from);
  }
  let realCwd: string | undefined;
  let best: { folder: string; depth: number } | undefined;
  for (const k of usable) {
    let inside = isInside(k, from);
    if (!inside) {
      realCwd ??= realpathOrSelf(from);
      inside = isInside(realpathOrSelf(k), realCwd);
    }
    const depth = k.split(path.sep).length;
    if (inside && (!best || depth > best.depth)) {
      best = { folder: k, depth };
    }
  }
  return best?.folder ?? usable[0];
}

/**
 * The known folders of a VS Code window for a request from a hook installed for `installedFor`: that
 * folder alone when it is one of the window's folders (the headless hook knows only it, and both must
 * pick the same folder), else the window's folders.
 */
export function windowKnownFolders(windowFolders: readonly string[], installedFor?: string): readonly string[] {
  return installedFor !== undefined && windowFolders.includes(installedFor) ? [installedFor] : windowFolders;
}
