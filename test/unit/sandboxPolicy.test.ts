import * as assert from 'node:assert/strict';
import { parsePolicyText } from '../../src/policy/parse';
import { hostCovers, hostMatches, sandboxPolicy } from '../../src/policy/sandboxPolicy';
import { policy, ROOT } from './policyHelpers';

const problems = (text: string) => parsePolicyText(text, 'p.json').problems.map((p) => `${p.line}:${p.column}: ${p.message}`);

describe('policy: the sandbox section', () => {
  describe('schema', () => {
    it('accepts hosts, wildcard hosts with ports, loopback ports, paths and unixSockets', () => {
      const text = JSON.stringify({
        sandbox: {
          network: { allow: ['registry.npmjs.org', '*.github.com', 'api.example.com:8443', '10.0.0.5'], loopbackPorts: [5432, 8080] },
          filesystem: { allowWrite: ['~/.npm', '/opt/cache', 'build-cache'], allowRead: ['~/.npmrc'] },
          unixSockets: true,
        },
      });
      assert.deepEqual(problems(text), []);
    });

    it('refuses a URL, a loopback host, a bad port and an unknown key, each at its line, in plain words', () => {
      const p = problems(
        [
          '{',
          '  "sandbox": {',
          '    "network": {',
          '      "allow": ["https://evil.example/x", "localhost:3000", "127.0.0.1"],',
          '      "loopbackPorts": [0, 70000],',
          '      "deny": []',
          '    }',
          '  }',
          '}',
        ].join('\n'),
      );
      assert.ok(p.some((m) => /^4:\d+: sandbox\.network\.allow\[0\]: "https:\/\/evil\.example\/x": expected a host name/.test(m)), p.join('\n'));
      assert.ok(p.some((m) => /^4:\d+: sandbox\.network\.allow\[1\]: "localhost:3000": this machine's loopback .*loopbackPorts/.test(m)), p.join('\n'));
      assert.ok(p.some((m) => /^4:\d+: sandbox\.network\.allow\[2\]: "127\.0\.0\.1": this machine's loopback/.test(m)), p.join('\n'));
      assert.ok(p.some((m) => /^5:\d+: sandbox\.network\.loopbackPorts\[0\]/.test(m)), p.join('\n'));
      assert.ok(p.some((m) => /^5:\d+: sandbox\.network\.loopbackPorts\[1\]/.test(m)), p.join('\n'));
      assert.ok(p.some((m) => /^6:\d+: sandbox\.network: unknown key "deny"/.test(m)), p.join('\n'));
    });

    it('refuses the root, the home folder, the workspace itself and globs as writable paths', () => {
      for (const bad of ['/', '~', '~/', '.', 'build/**']) {
        const p = problems(JSON.stringify({ sandbox: { filesystem: { allowWrite: [bad] } } }));
        assert.equal(p.length, 1, `${bad}: ${p.join('\n')}`);
        assert.match(p[0], /sandbox\.filesystem\.allowWrite\[0\]/);
      }
    });
  });

  describe('hosts', () => {
    it('matches exact names, subdomains of a wildcard (not the bare domain) and ports', () => {
      assert.equal(hostMatches('github.com', 'GitHub.com', 443), true);
      assert.equal(hostMatches('github.com', 'api.github.com', 443), false);
      assert.equal(hostMatches('*.github.com', 'api.github.com', 443), true);
      assert.equal(hostMatches('*.github.com', 'github.com', 443), false);
      assert.equal(hostMatches('*.github.com', 'evilgithub.com', 443), false);
      assert.equal(hostMatches('api.example.com:8443', 'api.example.com', 8443), true);
      assert.equal(hostMatches('api.example.com:8443', 'api.example.com', 443), false);
    });

    it('knows when one pattern covers another', () => {
      assert.equal(hostCovers('*.github.com', 'api.github.com'), true);
      assert.equal(hostCovers('*.github.com', '*.api.github.com'), true);
      assert.equal(hostCovers('*.github.com', 'github.com'), false);
      assert.equal(hostCovers('github.com', '*.github.com'), false);
      assert.equal(hostCovers('example.com', 'example.com:443'), true);
      assert.equal(hostCovers('example.com:443', 'example.com'), false);
    });
  });

  describe('layers: the team sets, a personal file can only narrow', () => {
    it('takes the team file as written, with where each entry comes from', () => {
      const s = sandboxPolicy(policy({ sandbox: { network: { allow: ['*.github.com'], loopbackPorts: [5432] }, filesystem: { allowWrite: ['~/.npm', 'cache'] } } }), '/home/dev');
      assert.deepEqual(
        s.networkAllow.map((e) => e.value),
        ['*.github.com'],
      );
      assert.equal(s.networkAllow[0].source, `${ROOT}/.airlock/policy.json`);
      assert.deepEqual(
        s.loopbackPorts.map((e) => e.value),
        [5432],
      );
      assert.deepEqual(
        s.allowWrite.map((e) => e.value),
        ['/home/dev/.npm', `${ROOT}/cache`],
      );
      assert.deepEqual(s.ignored, []);
    });

    it('keeps what a personal file names within the team file, ignores (and reports) the rest', () => {
      const s = sandboxPolicy(
        policy(
          { sandbox: { network: { allow: ['*.github.com', 'registry.npmjs.org'], loopbackPorts: [5432, 6379] }, filesystem: { allowWrite: ['~/.cache'], allowRead: ['~/.npmrc'] } } },
          { sandbox: { network: { allow: ['api.github.com', 'evil.example'], loopbackPorts: [6379, 22] }, filesystem: { allowWrite: ['~/.cache/pip', '~/.ssh'], allowRead: ['~/.aws/**'] }, unixSockets: true } },
        ),
        '/home/dev',
      );
      assert.deepEqual(
        s.networkAllow.map((e) => e.value),
        ['api.github.com'],
      );
      assert.deepEqual(
        s.loopbackPorts.map((e) => e.value),
        [6379],
      );
      assert.deepEqual(
        s.allowWrite.map((e) => e.value),
        ['/home/dev/.cache/pip'],
      );
      assert.deepEqual(s.allowRead, []);
      assert.equal(s.unixSockets.value, false);
      for (const w of ['"evil.example"', 'loopbackPorts 22', '"/home/dev/.ssh"', '"~/.aws/**"', 'unixSockets true']) {
        assert.ok(
          s.ignored.some((i) => i.includes(w)),
          `${w} not reported: ${s.ignored.join('\n')}`,
        );
      }
    });

    it('lets a personal file turn Unix sockets off but not on', () => {
      assert.equal(sandboxPolicy(policy({ sandbox: { unixSockets: true } }, { sandbox: { unixSockets: false } }), '/home/dev').unixSockets.value, false);
      assert.equal(sandboxPolicy(policy({ sandbox: { unixSockets: true } }), '/home/dev').unixSockets.value, true);
      assert.equal(sandboxPolicy(policy({}, { sandbox: { unixSockets: true } }), '/home/dev').unixSockets.value, false);
    });

    it('gives nothing beyond the built-in sandbox when the team file is invalid (its last valid content only narrows)', () => {
      const s = sandboxPolicy(policy({ sandbox: { network: { allow: ['*.github.com'] }, unixSockets: true } }, undefined, { degraded: true }), '/home/dev');
      assert.deepEqual(s.networkAllow, []);
      assert.equal(s.unixSockets.value, false);
    });
  });
});
