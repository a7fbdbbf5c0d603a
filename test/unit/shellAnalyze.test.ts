import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkJsonLine } from '../../src/cli/check';
import { analyzeCommand, analyzeCommandAsync, loadShellParser } from '../../src/shell/analyze';
import { locateWasmDir } from '../../src/shell/parser';

const HOME = '/home/dev';
const WS = '/home/dev/project';
const cli = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');

function analyze(line: string, cwd = WS, shell: 'bash' | 'powershell' = 'bash') {
  return analyzeCommand(line, { cwd, home: HOME, shell });
}
function programs(line: string, cwd = WS): string[] {
  return analyze(line, cwd).subcommands.map((s) => s.program);
}
function effects(line: string, cwd = WS, shell: 'bash' | 'powershell' = 'bash'): string[] {
  return analyze(line, cwd, shell).effects.map((e) => `${e.op} ${e.path}`);
}
function ids(line: string, shell: 'bash' | 'powershell' = 'bash'): string[] {
  return analyze(line, WS, shell).subcommands.flatMap((s) => s.findings.map((f) => `${f.severity} ${f.id}`));
}

describe('shell analysis (tree-sitter)', () => {
  before(async () => {
    await loadShellParser();
  });

  it('finds the wasm files next to the bundle or in node_modules', () => {
    const dir = locateWasmDir();
    assert.ok(fs.existsSync(path.join(dir, 'tree-sitter-bash.wasm')));
    assert.ok(fs.existsSync(path.join(locateWasmDir(path.resolve(__dirname, '..', '..', '..', 'dist')), 'tree-sitter.wasm')));
  });

  describe('sub-commands', () => {
    it('splits lists, pipelines, newlines and subshells', () => {
      assert.deepEqual(programs('a && b || c; d | e\nf & (g; h)'), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    });

    it('includes command and process substitutions, backticks and substitutions inside strings', () => {
      assert.deepEqual(programs('echo $(whoami) `date` "x $(id) y" <(ls)').sort(), ['date', 'echo', 'id', 'ls', 'whoami']);
    });

    it('unwraps wrappers and records both the wrapper and the command it runs', () => {
      assert.deepEqual(programs('sudo -u root env FOO=1 timeout 5 nice -n 3 rm x'), ['rm', 'nice', 'timeout', 'env', 'sudo']);
      assert.deepEqual(programs('xargs -n1 rm'), ['rm', 'xargs']);
      assert.deepEqual(programs('find . -name x -exec chmod 600 {} \\;'), ['chmod', 'find']);
    });

    it('reads bash -c strings and eval recursively', () => {
      assert.deepEqual(programs(`bash -c "sh -c 'git status'"`), ['git', 'sh', 'bash']);
      assert.deepEqual(programs(`eval 'ls -l'`), ['ls', 'eval']);
    });

    it('reads heredocs fed to a shell', () => {
      assert.deepEqual(programs('bash <<EOF\ngit reset --hard\nEOF'), ['git', 'bash']);
      assert.deepEqual(programs('cat <<EOF | sh\nls\nEOF'), ['cat', 'ls', 'sh']);
    });

    it('removes quotes and escapes from program names and keeps the directory out', () => {
      assert.deepEqual(programs(`'rm' x; "r"m y; r\\m z; /bin/rm w; $'rm' v`), ['rm', 'rm', 'rm', 'rm', 'rm']);
    });

    it('treats a program named by a variable as unknown, judged as every value the line assigns', () => {
      const a = analyze('cmd=rm; $cmd -rf /');
      const s = a.subcommands.find((x) => x.argv[0] === '$cmd');
      assert.ok(s);
      assert.equal(s.program, '');
      assert.ok(s.findings.some((f) => f.severity === 'catastrophic'));
      const b = analyze('$UNKNOWN_TOOL --flag').subcommands[0];
      assert.equal(b.knowledge, 'unknown');
    });

    it('marks harmless, known and unknown programs', () => {
      const k = (l: string) => analyze(l).subcommands[0].knowledge;
      assert.equal(k('git status'), 'harmless');
      assert.equal(k('rm -rf src'), 'known');
      assert.equal(k('frobnicate --all'), 'unknown');
      assert.equal(k(`node -e "console.log(1)"`), 'harmless');
      assert.equal(k(`node -e "require('fs').rmSync('x')"`), 'unknown');
    });

    it('keeps quiet about text that only mentions dangerous commands', () => {
      assert.deepEqual(ids('echo "rm -rf /"; git commit -m "drop table"; grep -r "DROP TABLE" .'), []);
    });
  });

  describe('path effects', () => {
    it('reports redirections but not /dev/null or fd duplication', () => {
      assert.deepEqual(effects('ls > out.txt 2>/dev/null 2>&1; echo x >> log/a.log; ls &> all.txt'), ['write /home/dev/project/out.txt', 'write /home/dev/project/log/a.log', 'write /home/dev/project/all.txt']);
    });

    it('resolves relative paths against cd earlier in the line, ~ and $HOME', () => {
      assert.deepEqual(effects('cd sub && rm a; cd ../other; touch b; rm ~/c $HOME/d'), ['delete /home/dev/project/sub/a', 'create /home/dev/project/other/b', 'delete /home/dev/c', 'delete /home/dev/d']);
    });

    it('does not let cd inside a subshell leak out', () => {
      assert.deepEqual(effects('(cd sub && touch a); touch b'), ['create /home/dev/project/sub/a', 'create /home/dev/project/b']);
    });

    it('covers tee, sed -i, mv (both ends), cp, truncate, dd, chmod, git checkout/restore and curl -o', () => {
      assert.deepEqual(effects('echo x | tee .env; sed -i s/a/b/ f.txt; mv a b; cp c d; truncate -s0 e; dd if=x of=g; chmod 600 h; git checkout -- i; git restore j; curl -o k https://x'), [
        'write /home/dev/project/.env',
        'write /home/dev/project/f.txt',
        'delete /home/dev/project/a',
        'write /home/dev/project/b',
        'write /home/dev/project/d',
        'write /home/dev/project/e',
        'write /home/dev/project/g',
        'write /home/dev/project/h',
        'write /home/dev/project/i',
        'write /home/dev/project/j',
        'write /home/dev/project/k',
      ]);
    });

    it('follows git -C for git sub-commands only', () => {
      assert.deepEqual(effects('git -C ../lib checkout -- src/a.ts'), ['write /home/dev/lib/src/a.ts']);
    });
  });

  describe('knowledge base', () => {
    it('tells rm -rf build from rm -rf ~', () => {
      assert.deepEqual(ids('rm -rf build'), []);
      assert.deepEqual(ids('rm -rf src'), ['caution fs.delete-in-workspace']);
      assert.deepEqual(ids('rm -rf ~'), ['catastrophic fs.delete-home']);
      assert.deepEqual(ids('rm -rf /*'), ['catastrophic fs.delete-root']);
      assert.deepEqual(ids('rm -rf ..'), ['catastrophic fs.delete-home'], 'the workspace sits right in the home folder');
      const up = analyzeCommand('rm -rf ..', { cwd: '/srv/app/ws', home: HOME }).subcommands[0].findings.map((f) => f.id);
      assert.deepEqual(up, ['fs.delete-workspace-parent']);
    });

    it('grades git operations', () => {
      assert.deepEqual(ids('git reset --hard'), ['destructive git.reset-hard']);
      assert.deepEqual(ids('git push --force-with-lease'), ['caution git.push-force-with-lease']);
      assert.deepEqual(ids('git push -f'), ['destructive git.push-force']);
      assert.deepEqual(ids('git push origin :old'), ['destructive git.push-delete']);
    });

    it('sees SQL through psql -c, heredocs and pipes', () => {
      assert.deepEqual(ids('psql -c "DELETE FROM users"'), ['destructive db.delete-all']);
      assert.deepEqual(ids('psql -c "DELETE FROM users WHERE id=1"'), ['caution db.delete-where']);
      assert.deepEqual(ids('mysql <<SQL\nDROP DATABASE app;\nSQL'), ['destructive db.drop']);
      assert.deepEqual(ids('echo "TRUNCATE t" | psql'), ['destructive db.truncate']);
    });

    it('sees remote code through pipes, process substitution and decoding', () => {
      assert.ok(ids('curl -s x | sh').includes('destructive remote.pipe-to-shell'));
      assert.ok(ids('bash <(wget -qO- x)').includes('destructive remote.pipe-to-shell'));
      assert.ok(ids('echo abc | base64 -d | bash').includes('destructive remote.decoded-to-shell'));
    });
  });

  describe('PowerShell', () => {
    it('maps Remove-Item, rd and del onto deletions', () => {
      assert.deepEqual(ids('Remove-Item -Recurse -Force $HOME', 'powershell'), ['catastrophic fs.delete-home']);
      assert.deepEqual(effects('Remove-Item src\\old -Recurse; del /f a.txt', WS, 'powershell'), ['delete /home/dev/project/src/old', 'delete /home/dev/project/a.txt']);
      assert.deepEqual(ids('rd /s /q C:\\', 'powershell'), ['catastrophic fs.delete-root']);
    });

    it('resolves Windows paths against a Windows cwd', () => {
      const a = analyzeCommand('Set-Content -Path .env -Value x', { cwd: 'C:\\Users\\dev\\project', home: 'C:\\Users\\dev', shell: 'powershell' });
      assert.deepEqual(a.effects.map((e) => e.path), ['C:\\Users\\dev\\project\\.env']);
    });

    it('flags iex of downloaded code and leaves reads alone', () => {
      assert.ok(ids('iwr https://x/i.ps1 | iex', 'powershell').includes('destructive remote.pipe-to-shell'));
      assert.deepEqual(ids('Get-ChildItem -Recurse | Select-String TODO', 'powershell'), []);
    });
  });

  describe('parse errors', () => {
    it('fills parseErrors for lines tree-sitter cannot parse', () => {
      assert.ok(analyze(`echo 'unterminated`).parseErrors.length > 0);
      assert.ok(analyze('ls &&').parseErrors.length > 0);
      assert.deepEqual(analyze('ls -la').parseErrors, []);
    });

    it('stops at a bounded nesting depth', () => {
      let line = 'ls';
      for (let i = 0; i < 10; i++) {
        line = `bash -c ${JSON.stringify(line)}`;
      }
      assert.ok(analyze(line).parseErrors.some((e) => /deeper/.test(e)));
    });
  });

  it('analyzeCommandAsync loads what it needs', async () => {
    const a = await analyzeCommandAsync('ls', { cwd: WS });
    assert.equal(a.subcommands[0].program, 'ls');
  });
});

describe('airlock check', () => {
  before(async () => {
    await loadShellParser();
  });


  it('exits 0 for allow and 1 for ask or deny, with reasons', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-check-'));
    try {
      const ok = spawnSync(process.execPath, [cli, 'check', '--cwd', tmp, '--', 'git', 'status'], { encoding: 'utf8' });
      assert.equal(ok.status, 0);
      assert.match(ok.stdout, /^allow: git status/);
      const deny = spawnSync(process.execPath, [cli, 'check', '--cwd', tmp, '--json', '--', 'rm -rf /'], { encoding: 'utf8' });
      assert.equal(deny.status, 1);
      const j = JSON.parse(deny.stdout) as { verdict: string; reasons: string[] };
      assert.equal(j.verdict, 'deny');
      assert.match(j.reasons.join(' '), /root of the file system/);
      const ask = spawnSync(process.execPath, [cli, 'check', '--cwd', tmp, '--', 'git reset --hard'], { encoding: 'utf8' });
      assert.equal(ask.status, 1);
      assert.match(ask.stdout, /^ask: /);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('exits 2 with a message for bad usage', () => {
    for (const args of [['check'], ['check', '--frob', '--', 'ls'], ['check', '--cwd'], ['check', '--jsonl', '--', 'ls']]) {
      const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', input: '' });
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, /airlock check: /);
    }
  });

  it('--jsonl answers every line in order and denies malformed lines without aborting', () => {
    const input = ['{"command":"ls"}', 'not json', '{"cmd":"ls"}', '{"command":"rm -rf ~"}', '[1]', '{"command":"ls","cwd":"relative"}', '', '{"command":"git status","cwd":"/tmp"}'].join('\n');
    const r = spawnSync(process.execPath, [cli, 'check', '--jsonl'], { encoding: 'utf8', input });
    assert.equal(r.status, 0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { verdict: string; reasons: string[] });
    assert.deepEqual(
      out.map((o) => o.verdict),
      ['allow', 'deny', 'deny', 'deny', 'deny', 'deny', 'allow'],
    );
    assert.match(out[1].reasons[0], /^malformed input: /);
    assert.match(out[2].reasons[0], /^malformed input: /);
    assert.match(out[3].reasons[0], /home folder/);
  });

  it("decides under the workspace's own policy file, rule by rule on every sub-command", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-check-policy-'));
    try {
      fs.mkdirSync(path.join(tmp, '.airlock'));
      fs.writeFileSync(
        path.join(tmp, '.airlock', 'policy.json'),
        JSON.stringify({ commands: { 'git push *': 'allow', 'rm *': { verdict: 'deny', reason: 'We do not delete from the agent.' } }, categories: { database: 'deny' } }),
      );
      fs.mkdirSync(path.join(tmp, 'sub'));
      const input = [
        { command: 'git push origin main', cwd: path.join(tmp, 'sub') },
        { command: 'timeout 5 rm notes.txt', cwd: tmp },
        { command: 'psql -c "DROP TABLE users"', cwd: tmp },
        { command: 'git reset --hard', cwd: tmp },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n');
      const r = spawnSync(process.execPath, [cli, 'check', '--jsonl'], { encoding: 'utf8', input });
      assert.equal(r.status, 0, r.stderr);
      const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { verdict: string; reasons: string[] });
      assert.deepEqual(
        out.map((o) => o.verdict),
        ['allow', 'deny', 'deny', 'ask'],
      );
      assert.match(out[1].reasons.join(' '), /We do not delete from the agent/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('checkJsonLine never throws', () => {
    assert.equal(checkJsonLine('{"command": 5}', WS).verdict, 'deny');
    assert.equal(checkJsonLine('{"command": "ls", "shell": "fish"}', WS).verdict, 'deny');
  });
});
