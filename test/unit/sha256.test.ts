import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { sha256Hex } from '../../src/util/sha256';

describe('sha256Hex (the audit chain and folder keys without node:crypto)', () => {
  it('gives node:crypto\'s digest for empty, padding-edge, multi-block and non-ASCII inputs', () => {
    const inputs = ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(63), 'a'.repeat(64), 'a'.repeat(1000), 'héllo wörld ✓ 𝄞', '\u0000\n'];
    for (let i = 0; i < 200; i++) {
      inputs.push(crypto.randomBytes(i * 3).toString('latin1') + '€'.repeat(i % 7));
    }
    for (const s of inputs) {
      assert.equal(sha256Hex(s), crypto.createHash('sha256').update(s).digest('hex'), JSON.stringify(s.slice(0, 20)));
    }
  });
});
