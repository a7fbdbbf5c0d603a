import * as path from 'node:path';
import type { ChangeAttribution } from '../gate/changeAttribution';
import type { RollbackResult } from '../snapshot/rollback';
import { fileContents } from '../util/fileHash';

/**
 * Runs a restore (a rollback, a revert) as Airlock's own write: while it runs every change in the
 * folder is Airlock's, and afterwards each file it touched counts as Airlock's for as long as it
 * holds what the restore left there, so the protected-file watcher never warns about it.
 */
export async function restoreAsAirlock(attribution: ChangeAttribution, folder: string, run: () => Promise<RollbackResult>): Promise<RollbackResult> {
  const touched = (r: RollbackResult) => [...r.changed, ...r.created, ...r.deleted];
  const result = await attribution.during(folder, run, touched);
  attribution.noteContent('airlock', await fileContents(touched(result).map((f) => path.resolve(folder, f))));
  return result;
}
