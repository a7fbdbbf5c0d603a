/** Database clients and tools: SQL, Redis and Mongo commands, migrations, restores. */
import { finding } from '../model';
import type { Invocation, Outcome, Word } from '../model';
import { mongoFindings, redisFindings, sqlFindings } from '../sql';
import { add, known, readTarget, subcommandRules, words, writeTarget } from './common';
import type { Handler } from './common';

const dbClient =
  (kind: 'sql' | 'sqlite' | 'redis' | 'mongo'): Handler =>
  (inv, out) => {
    known(out);
    const args = inv.argv.slice(1);
    const codeOpts = kind === 'mongo' ? ['--eval'] : ['-c', '--command', '-e', '--execute', '-Q', '-q', '--query'];
    const sqls: string[] = [];
    let fileInput = false;
    const positional: Word[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i].value;
      const eq = a.indexOf('=');
      if (codeOpts.includes(a)) {
        const v = args[i + 1];
        sqls.push(v?.literal ? v.value : '\u0000');
        i++;
      } else if (eq > 0 && codeOpts.includes(a.slice(0, eq))) {
        sqls.push(args[i].literal ? a.slice(eq + 1) : '\u0000');
      } else if (a === '-f' || a === '--file' || a.startsWith('--file=') || a === '-i' || a === '--source' || a === '-init') {
        fileInput = true;
        i++;
      } else if (a.startsWith('-')) {
        if (/^-(U|h|p|d|u|P|H|S|D|n|a|W|o|B|port|host|user|username|dbname|database|cmd|separator)$/.test(a) || ['--host', '--port', '--user', '--username', '--dbname', '--database', '--password', '-h', '-p', '-U', '-d', '-u', '-n', '-a', '-S', '-D', '-P', '-o', '--output'].includes(a)) {
          i++;
        }
      } else {
        positional.push(args[i]);
      }
    }
    if (kind === 'redis') {
      if (positional.length) {
        out.findings.push(...redisFindings(words(positional)));
        if (!out.findings.length) {
          out.knowledge = 'harmless';
        }
        return;
      }
    } else if (kind === 'sqlite' && positional.length > 1) {
      // each argument is a command of its own (a dot-command ends at the end of its argument)
      sqls.push(positional.slice(1).every((w) => w.literal) ? words(positional.slice(1)).join('\n') : '\u0000');
    }
    if (!sqls.length && (inv.stdin.kind === 'literal' || inv.stdin.kind === 'download' || inv.stdin.kind === 'unknown' || inv.stdin.kind === 'decoded')) {
      sqls.push(inv.stdin.kind === 'literal' ? inv.stdin.text ?? '' : '\u0000');
    }
    if (!sqls.length && args.some((w) => /^(--version|-V|--help|-\?|-l|--list)$/.test(w.value))) {
      out.knowledge = 'harmless';
      return;
    }
    if (!sqls.length) {
      out.knowledge = fileInput ? 'unknown' : positional.length === 0 || kind === 'sql' || kind === 'mongo' ? 'unknown' : 'known';
      if (fileInput) {
        add(out, finding('database', 'caution', 'db.script-file', `runs a script file against the database (${inv.program}), which Airlock cannot read`));
      }
      return;
    }
    for (const s of sqls) {
      if (s === '\u0000') {
        add(out, finding('database', 'caution', 'db.dynamic', `runs database commands that are only known when the command runs (${inv.program})`));
        continue;
      }
      if (kind === 'sqlite') {
        sqliteDotCommands(inv, out, s);
      } else if (kind === 'sql') {
        sqlClientCommands(inv, out, s);
      }
      out.findings.push(...(kind === 'redis' ? redisFindings(s.trim().split(/\s+/)) : kind === 'mongo' ? mongoFindings(s) : sqlFindings(s)));
    }
    if (!out.findings.length) {
      out.knowledge = 'harmless';
    }
  };

/** sqlite3's dot-commands: .shell/.system run commands, .output/.once/.backup write files, .load loads code. */
function sqliteDotCommands(inv: Invocation, out: Outcome, text: string): void {
  for (const line of text.split('\n')) {
    const m = /^\s*\.(\w+)\s*(.*)$/.exec(line);
    if (!m) {
      continue;
    }
    const [cmd, arg] = [m[1].toLowerCase(), m[2].trim().replace(/^(['"])(.*)\1$/, '$2')];
    if (cmd === 'shell' || cmd === 'system') {
      add(out, finding('remote-code', 'caution', 'sqlite.shell', `sqlite3 .${cmd} runs \`${arg.slice(0, 60)}\``));
      inv.env.runScript(arg, inv.scope, 'bash');
    } else if (['output', 'once', 'backup', 'save', 'excel'].includes(cmd) && arg && !/^(stdout|-[ex]|--\w+)$/.test(arg)) {
      writeTarget(inv, out, { value: arg.split(/\s+/).pop()!, literal: true }, 'write', `sqlite3 .${cmd}`);
    } else if (cmd === 'load') {
      add(out, finding('remote-code', 'caution', 'code.load', `sqlite3 .load loads native code from ${arg}`));
    } else if ((cmd === 'read' || cmd === 'import' || cmd === 'restore') && arg) {
      readTarget(inv, out, { value: arg.split(/\s+/)[cmd === 'restore' ? arg.split(/\s+/).length - 1 : 0], literal: true }, `sqlite3 .${cmd}`);
    }
  }
}

/**
 * The SQL clients' own commands (psql and mysql): `\\!`/`system` run a shell command, `\\o`/`tee`
 * write a file, `\\i`/`source` run a script file; `COPY ... PROGRAM` runs a program on the
 * database server, `INTO OUTFILE`/`\\copy ... to` write files.
 */
function sqlClientCommands(inv: Invocation, out: Outcome, text: string): void {
  for (const raw of text.split(/\n|;(?=\s*\\)/)) {
    const line = raw.trim();
    const shell = /^(?:\\!|system\s)\s*(.*)$/i.exec(line);
    if (shell) {
      add(out, finding('remote-code', 'caution', 'db.client-shell', `${inv.program} runs the shell command \`${shell[1].slice(0, 60)}\``));
      inv.env.runScript(shell[1], inv.scope, 'bash');
      continue;
    }
    const file = /^(?:\\(o|out|w|write|g|gx|T)|(tee|pager))\s+(\S+)/i.exec(line);
    if (file) {
      if (file[3].startsWith('|') || file[2]?.toLowerCase() === 'pager') {
        inv.env.runScript(file[3].replace(/^\|/, ''), inv.scope, 'bash');
      } else {
        writeTarget(inv, out, { value: file[3].replace(/^(['"])(.*)\1$/, '$2'), literal: true }, 'write', `${inv.program} ${line.split(/\s/)[0]}`);
      }
      continue;
    }
    if (/^(?:\\(i|ir|include|include_relative|\.)|source)\s/i.test(line)) {
      out.unknownReason ??= `${inv.program} runs the script file in \`${line.slice(0, 60)}\`, which Airlock does not read`;
    }
  }
  if (/\bprogram\s+'/i.test(text) && /\bcopy\b/i.test(text)) {
    add(out, finding('remote-code', 'caution', 'db.copy-program', 'COPY ... PROGRAM runs a program on the database server'));
  }
  if (/\binto\s+(out|dump)file\b/i.test(text) || /\\copy\b[^\n]*\bto\s+'/i.test(text)) {
    add(out, finding('database', 'caution', 'db.write-file', 'writes query results to a file'));
  }
}

const dbTool = subcommandRules(
  [
    [/^(migrate reset|db push.*--force-reset|db push.*--accept-data-loss|db drop|db:drop|db:reset|db:schema:load|db:purge|db:truncate_all|flush|reset_db|sqlflush|database drop|db reset|migrate:fresh|migrate:reset|migrate:refresh|db:wipe|schema:drop|db:seed:undo:all|db:migrate:undo:all|migrate:rollback --all)\b/, 'destructive', 'db.reset', 'drops or resets the database, deleting its data ($0)', 'database'],
    [/./, 'harmless', '', '', 'database'],
  ],
  'harmless',
);

const dropdb: Handler = (inv, out) => {
  known(out);
  add(out, finding('database', 'destructive', 'db.drop', `drops the database ${inv.argv.slice(1).filter((w) => !w.value.startsWith('-')).map((w) => w.value).pop() ?? ''}`));
};

const pgRestore: Handler = (inv, out) => {
  known(out);
  if (inv.argv.some((w) => /^(-c|--clean|--if-exists)$/.test(w.value))) {
    add(out, finding('database', 'destructive', 'db.restore-clean', 'restores a dump with --clean, dropping existing objects first'));
  } else {
    add(out, finding('database', 'caution', 'db.restore', 'restores a dump into a database'));
  }
};

const mongorestore: Handler = (inv, out) => {
  known(out);
  add(out, finding('database', inv.argv.some((w) => w.value === '--drop') ? 'destructive' : 'caution', 'db.restore-drop', inv.argv.some((w) => w.value === '--drop') ? 'restores a dump with --drop, deleting existing collections first' : 'restores a dump into MongoDB'));
};

export const DATABASES_HANDLERS: Record<string, Handler> = {
supabase: subcommandRules([[/^db reset\b/, 'destructive', 'db.reset', 'resets the database, deleting its data', 'database']], 'harmless'),
  psql: dbClient('sql'),
  mysql: dbClient('sql'),
  mariadb: dbClient('sql'),
  sqlcmd: dbClient('sql'),
  'clickhouse-client': dbClient('sql'),
  cqlsh: dbClient('sql'),
  duckdb: dbClient('sqlite'),
  sqlite3: dbClient('sqlite'),
  sqlite: dbClient('sqlite'),
  'redis-cli': dbClient('redis'),
  'valkey-cli': dbClient('redis'),
  mongo: dbClient('mongo'),
  mongosh: dbClient('mongo'),
  dropdb,
  dropuser: dropdb,
  pg_restore: pgRestore,
  mongorestore,
  prisma: dbTool,
  rails: dbTool,
  rake: dbTool,
  'manage.py': dbTool,
  artisan: dbTool,
  sequelize: dbTool,
  'sequelize-cli': dbTool,
  knex: dbTool,
  typeorm: dbTool,
  drizzle: dbTool,
  'drizzle-kit': dbTool,
};
