import * as assert from 'node:assert/strict';
import { parse } from 'jsonc-parser';
import { minimatch } from 'minimatch';
import {
  copilotApprovalEntries,
  EDITS_KEY,
  mergeSetting,
  parseSettings,
  planSettings,
  planSharedSetting,
  SettingNotAnObjectError,
  SettingsFileError,
  TERMINAL_KEY,
  terminalKey,
} from '../../src/policy/copilotSettings';
import { policy } from './policyHelpers';

const TEAM = `{
  "paths": {
    "src/payments/**": { "write": "ask", "delete": "deny" },
    "docs/": "ask",
    ".env.example": { "read": "allow", "write": "allow" },
    "*.test.js": { "delete": "ask" },
    "generated/**": "allow"
  },
  "commands": {
    "npm test": "allow",
    "git push *": { "verdict": "ask" },
    "/^npm (publish|unpublish)\\\\b/": "deny",
    "docker * --privileged": "deny"
  },
  "categories": { "database": "allow", "git-history": "ask" },
  "agents": { "copilot": { "commands": { "make deploy": "deny" } } }
}`;

/** VS Code's edit approval: the last matching glob wins; a relative path as the workspace sees it. */
function editApproved(edits: Record<string, unknown>, rel: string): boolean {
  let v: unknown = true;
  for (const [glob, value] of Object.entries(edits)) {
    if (minimatch(rel, glob, { dot: true })) {
      v = value;
    }
  }
  return v !== false;
}

/** VS Code's terminal rule: a `/regex/` tests the sub-command, a prefix matches at a word boundary. */
function commandAsked(terminal: Record<string, unknown>, sub: string): boolean {
  return Object.entries(terminal).some(([k, v]) => {
    if (v !== false) {
      return false;
    }
    const m = /^\/(.+)\/([a-z]*)$/s.exec(k);
    return m ? new RegExp(m[1], m[2]).test(sub) : sub === k || sub.startsWith(`${k} `);
  });
}

describe('Copilot approval settings from the policy', () => {
  const entries = copilotApprovalEntries(policy(TEAM));

  it('asks before Copilot edits every protected path, built-in and team, and only those', () => {
    for (const rel of ['.env', 'config/.env.local', 'src/payments/pay.js', 'docs/guide.md', 'a/b.test.js', '.ssh/id_rsa', 'deploy/key.pem', '.github/workflows/ci.yml', '.github/hooks/airlock.json', '.vscode/settings.json', 'package.json', 'web/package-lock.json', '.airlock/policy.json', '.git/config']) {
      assert.equal(editApproved(entries.edits, rel), false, `${rel} must be asked`);
    }
    for (const rel of ['src/cart.js', 'README.md', 'generated/out.js']) {
      assert.equal(editApproved(entries.edits, rel), true, `${rel} stays auto-approved`);
    }
    assert.ok(Object.values(entries.edits).every((v) => v === false), 'Airlock only ever writes false');
  });

  it('turns ask and deny command rules into prefixes or regexes, for Copilot too, and leaves allowed ones out', () => {
    assert.ok(commandAsked(entries.terminal, 'git push origin main'));
    assert.ok(commandAsked(entries.terminal, 'npm publish --tag next'));
    assert.ok(commandAsked(entries.terminal, 'docker run --privileged'));
    assert.ok(commandAsked(entries.terminal, 'make deploy'), 'agents.copilot rules count');
    assert.ok(commandAsked(entries.terminal, 'rm -rf build'), 'file-destruction is asked by default');
    assert.ok(commandAsked(entries.terminal, 'git reset --hard HEAD~3'));
    assert.ok(!commandAsked(entries.terminal, 'npm test'));
    assert.ok(!commandAsked(entries.terminal, 'psql -c "select 1"'), 'the team allowed the database category');
    assert.ok(!commandAsked(entries.terminal, 'git pushover'), 'a prefix ends at a word boundary');
  });

  it('converts word patterns: trailing * dropped, inner wildcards become a regex', () => {
    assert.equal(terminalKey('git push *'), 'git push');
    assert.equal(terminalKey('  rm   -rf  '), 'rm -rf');
    assert.equal(terminalKey('/^curl .*\\| *sh/i'), '/^curl .*\\| *sh/i');
    assert.equal(terminalKey('*'), undefined);
    const k = terminalKey('npm run *:prod')!;
    assert.ok(new RegExp(k.slice(1, -1)).test('npm run deploy:prod'));
    assert.ok(!new RegExp(k.slice(1, -1)).test('npm run deploy:dev'));
  });
});

describe('merging Airlock entries into the developer settings', () => {
  it('keeps the developer entries first and Airlock entries last, and owns only what it added', () => {
    const m = mergeSetting(EDITS_KEY, { '**/*': true, 'notes/**': false }, [], { '**/.env': false, 'notes/**': false });
    assert.deepEqual(m.value, { '**/*': true, 'notes/**': false, '**/.env': false });
    assert.deepEqual(m.owned, ['**/.env']);
    assert.deepEqual(m.conflicts, []);
  });

  it('removes only owned keys the policy no longer wants, and a changed owned key becomes the developer one', () => {
    const m = mergeSetting(EDITS_KEY, { a: false, b: false, c: true, mine: true }, ['a', 'b', 'c'], { b: false, c: false });
    assert.deepEqual(m.value, { c: true, mine: true, b: false });
    assert.deepEqual(m.owned, ['b']);
    assert.deepEqual(m.conflicts, ['c']);
  });

  it('refuses to touch a setting that is not an object', () => {
    assert.throws(() => mergeSetting(TERMINAL_KEY, 'yes', [], { rm: false }), SettingNotAnObjectError);
  });
});

describe('settings.json edits', () => {
  const wanted = { edits: { '**/.env': false as const }, terminal: { rm: false as const } };

  it('writes into a file with comments without losing them or the developer entries', () => {
    const text = '{\n\t// my editor\n\t"editor.tabSize": 2,\n\t"chat.tools.edits.autoApprove": {\n\t\t// docs are fine\n\t\t"docs/**": true\n\t}\n}\n';
    const plan = planSettings(text, { edits: [], terminal: [] }, wanted);
    assert.ok(plan.changed);
    assert.match(plan.after, /\/\/ my editor/);
    assert.match(plan.after, /\/\/ docs are fine/);
    assert.match(plan.after, /\t"editor.tabSize": 2/);
    const v = parse(plan.after) as Record<string, Record<string, unknown>>;
    assert.deepEqual(v[EDITS_KEY], { 'docs/**': true, '**/.env': false });
    assert.deepEqual(v[TERMINAL_KEY], { rm: false });
    assert.deepEqual(plan.owned, { edits: ['**/.env'], terminal: ['rm'] });
    // Syncing again changes nothing.
    const again = planSettings(plan.after, plan.owned, wanted);
    assert.equal(again.changed, false);
    assert.equal(again.after, plan.after);
  });

  it('moves Airlock entries back to the end when the developer added a broad entry after them', () => {
    const text = '{\n  "chat.tools.edits.autoApprove": {\n    "**/.env": false,\n    "**/*": true\n  }\n}\n';
    const plan = planSettings(text, { edits: ['**/.env'], terminal: [] }, { edits: wanted.edits, terminal: {} });
    const v = parse(plan.after) as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(v[EDITS_KEY]), ['**/*', '**/.env']);
    assert.match(plan.after, /^ {4}"\*\*\/\*": true/m, 'the file keeps its two-space indentation');
  });

  it('removes a setting Airlock created once the policy no longer needs it', () => {
    const plan = planSettings('{\n  "chat.tools.terminal.autoApprove": { "rm": false }\n}\n', { edits: [], terminal: ['rm'] }, { edits: {}, terminal: {} });
    assert.deepEqual(parse(plan.after), { [TERMINAL_KEY]: {} });
  });

  it('creates the file content from nothing, and refuses a file with a syntax error', () => {
    const plan = planSettings('', { edits: [], terminal: [] }, wanted);
    assert.deepEqual(parse(plan.after), { [EDITS_KEY]: { '**/.env': false }, [TERMINAL_KEY]: { rm: false } });
    assert.throws(() => parseSettings('{ "a": 1,, }'), (e: unknown) => e instanceof SettingsFileError && /syntax error .* line 1/.test(e.message));
    assert.throws(() => parseSettings('[]'), SettingsFileError);
  });
});

describe('the user-level edits setting shared by workspaces', () => {
  it('keeps the keys another workspace owns, removes only keys no workspace wants, never the developer ones', () => {
    const current = { 'docs/**': true, '**/.env*': false, 'src/payments/**': false, 'old/**': false };
    const owned = { wsA: ['**/.env*', 'old/**'], wsB: ['**/.env*', 'src/payments/**'] };
    const p = planSharedSetting(EDITS_KEY, current, owned, 'wsA', { '**/.env*': false, '**/*.pem': false });
    assert.deepEqual(p.after, { 'docs/**': true, '**/.env*': false, 'src/payments/**': false, '**/*.pem': false });
    assert.deepEqual(p.owned, { wsB: ['**/.env*', 'src/payments/**'], wsA: ['**/.env*', '**/*.pem'] });
    assert.ok(p.changed);
  });

  it('is a no-op when everything is in place', () => {
    const current = { '**/.env*': false };
    const p = planSharedSetting(EDITS_KEY, current, { wsA: ['**/.env*'] }, 'wsA', { '**/.env*': false });
    assert.equal(p.changed, false);
  });
});
