/** What a piece of SQL (or a Redis/Mongo command) would do to a database. */
import type { CommandFinding } from '../core/types';
import { finding } from './model';

function stripSql(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''");
}

/** Findings for SQL text; empty for reads and ordinary writes. */
export function sqlFindings(sql: string): CommandFinding[] {
  const out: CommandFinding[] = [];
  for (const raw of stripSql(sql).split(';')) {
    const s = raw.trim().replace(/\s+/g, ' ').toUpperCase();
    if (!s) {
      continue;
    }
    let m: RegExpMatchArray | null;
    if ((m = s.match(/^DROP (DATABASE|SCHEMA|TABLE|VIEW|INDEX|USER|ROLE|COLLECTION|KEYSPACE|MATERIALIZED VIEW|FUNCTION|TRIGGER|SEQUENCE|TYPE|EXTENSION|OWNED)\b/))) {
      out.push(finding('database', 'destructive', 'db.drop', `drops a ${m[1].toLowerCase()} (${raw.trim().slice(0, 60)}): its data is gone for good`));
    } else if (/^TRUNCATE\b/.test(s)) {
      out.push(finding('database', 'destructive', 'db.truncate', 'empties a table (TRUNCATE): every row is deleted'));
    } else if (/^DELETE FROM\b/.test(s) || /^DELETE\b/.test(s)) {
      out.push(/\bWHERE\b/.test(s) ? finding('database', 'caution', 'db.delete-where', 'deletes rows from a table') : finding('database', 'destructive', 'db.delete-all', 'deletes every row of a table (DELETE without WHERE)'));
    } else if (/^UPDATE\b/.test(s)) {
      out.push(/\bWHERE\b/.test(s) ? finding('database', 'caution', 'db.update-where', 'changes rows in a table') : finding('database', 'destructive', 'db.update-all', 'changes every row of a table (UPDATE without WHERE)'));
    } else if (/^ALTER TABLE\b.*\bDROP\b/.test(s)) {
      out.push(finding('database', 'destructive', 'db.alter-drop', 'drops a column or constraint: that data is gone for good'));
    } else if (/^(GRANT|REVOKE|ALTER USER|ALTER ROLE|CREATE USER|CREATE ROLE|SET PASSWORD)\b/.test(s)) {
      out.push(finding('privilege', 'caution', 'db.grant', 'changes database users or permissions'));
    } else if (/^(FLUSHALL|FLUSHDB)\b/.test(s)) {
      out.push(finding('database', 'destructive', 'redis.flush', 'deletes every key in the Redis database'));
    }
  }
  return out;
}

export function redisFindings(words: readonly string[]): CommandFinding[] {
  const c = (words[0] ?? '').toUpperCase();
  if (c === 'FLUSHALL' || c === 'FLUSHDB') {
    return [finding('database', 'destructive', 'redis.flush', `deletes every key in the Redis database (${c})`)];
  }
  if (c === 'SHUTDOWN') {
    return [finding('database', 'destructive', 'redis.shutdown', 'shuts the Redis server down')];
  }
  if (['DEL', 'UNLINK', 'CONFIG', 'EVAL', 'SCRIPT', 'DEBUG', 'SWAPDB', 'MIGRATE', 'RESTORE', 'REPLICAOF', 'SLAVEOF'].includes(c)) {
    return [finding('database', 'caution', 'redis.write', `changes the Redis server (${c})`)];
  }
  return [];
}

export function mongoFindings(js: string): CommandFinding[] {
  if (/\bdropDatabase\s*\(|\.drop\s*\(|\bdropCollection\b|\bdropUser\b|\bdropAllUsers\b/.test(js)) {
    return [finding('database', 'destructive', 'mongo.drop', 'drops a MongoDB database or collection')];
  }
  if (/\.(deleteMany|remove)\s*\(\s*\{\s*\}\s*\)/.test(js)) {
    return [finding('database', 'destructive', 'mongo.delete-all', 'deletes every document of a collection')];
  }
  if (/\.(deleteOne|deleteMany|remove|updateMany|updateOne|replaceOne|insert\w*|findOneAnd\w+|renameCollection)\s*\(/.test(js)) {
    return [finding('database', 'caution', 'mongo.write', 'changes documents in MongoDB')];
  }
  return [];
}
