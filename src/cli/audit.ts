/** `airlock audit`: the decision log of a workspace folder, as a table, JSON lines or CSV. */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { AuditEntry } from '../audit/log';
import { auditFile, auditToCsv, readAudit, verifyAudit } from '../audit/log';
import { searchFolder } from '../policy/load';
import { ExitCode, registerCommand } from './run';

const usage = 'airlock audit [--cwd DIR] [--json | --csv] [--agent NAME] [--verdict allow|ask|deny] [--limit N] [--verify]';

registerCommand({
  name: 'audit',
  summary: 'Show, filter or export the decision log; --verify checks it was not edited',
  usage,
  async run(args, io) {
    let opts;
    try {
      opts = parseArgs({
        args,
        strict: true,
        allowPositionals: false,
        options: {
          cwd: { type: 'string' },
          json: { type: 'boolean' },
          csv: { type: 'boolean' },
          agent: { type: 'string' },
          verdict: { type: 'string' },
          limit: { type: 'string' },
          verify: { type: 'boolean' },
        },
      }).values;
    } catch (err) {
      io.stderr(`airlock audit: ${err instanceof Error ? err.message : String(err)}\nUsage: ${usage}\n`);
      return ExitCode.usage;
    }
    if (opts.verdict && !['allow', 'ask', 'deny'].includes(opts.verdict)) {
      io.stderr(`airlock audit: --verdict must be allow, ask or deny\nUsage: ${usage}\n`);
      return ExitCode.usage;
    }
    const limit = opts.limit === undefined ? Infinity : Number(opts.limit);
    if (!(limit > 0)) {
      io.stderr(`airlock audit: --limit must be a positive number\nUsage: ${usage}\n`);
      return ExitCode.usage;
    }
    const root = searchFolder(path.resolve(opts.cwd ?? process.cwd()));
    if (opts.verify) {
      const bad = verifyAudit(root, process.env, (line) => createHash('sha256').update(line).digest('hex'));
      if (bad.length) {
        io.stderr(`${auditFile(root)}: the log was changed after it was written (the chain breaks at line${bad.length > 1 ? 's' : ''} ${bad.join(', ')})\n`);
        return ExitCode.refused;
      }
      io.stdout(`${auditFile(root)}: intact (${readAudit(root).entries.length} entries)\n`);
      return ExitCode.ok;
    }
    const { entries } = readAudit(root);
    const shown = entries.filter((e: AuditEntry) => (!opts.agent || e.agent === opts.agent) && (!opts.verdict || e.verdict === opts.verdict || e.wouldBe === opts.verdict)).slice(-limit);
    if (opts.csv) {
      io.stdout(auditToCsv(shown));
    } else if (opts.json) {
      io.stdout(shown.map((e) => JSON.stringify(e)).join('\n') + (shown.length ? '\n' : ''));
    } else if (shown.length === 0) {
      io.stderr(`no audit entries for ${root}\n`);
    } else {
      for (const e of shown) {
        const what = e.command ?? (e.paths ?? []).map((p) => path.relative(root, p) || p).join(', ');
        io.stdout(`${e.time}  ${e.verdict.padEnd(5)} ${e.decidedBy.padEnd(12)} ${e.agent.padEnd(11)} ${e.kind.padEnd(7)} ${what}${e.snapshotId ? `  [${e.snapshotId}]` : ''}\n`);
      }
    }
    return ExitCode.ok;
  },
});
