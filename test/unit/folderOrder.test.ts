import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '..', '..', '..');

/** Lints `text` as if it were the file `file` of the project (with the project's own config). */
async function lint(file: string, text: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(text, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'airlock/folder-order').map((m) => m.message);
}

describe('folder order (npm run lint)', function () {
  this.timeout(60_000);

  it('fails a backwards import between the folders of src/, a value or a type, static or dynamic', async () => {
    assert.match((await lint('src/policy/probe.ts', "import { decide } from '../gate/gate';\nexport const d = decide;\n")).join('\n'), /src\/policy must not import from src\/gate/);
    assert.equal((await lint('src/core/probe.ts', "import type { Policy } from '../policy/compile';\nexport type P = Policy;\n")).length, 1);
    assert.equal((await lint('src/agents/probe.ts', "export const load = () => import('../cli/check.js');\n")).length, 1);
    assert.equal((await lint('src/gate/probe.ts', "export { BridgeError } from '../bridge/protocol';\n")).length, 1, 'folders of one tier stay independent');
    assert.equal((await lint('src/vscode/probe.ts', "import { runCli } from '../cli/run';\nexport const r = runCli;\n")).length, 1, 'cli and vscode do not use each other');
    assert.equal((await lint('src/snapshot/probe.ts', "import { activate } from '../extension';\nexport const a = activate;\n")).length, 1);
  });

  it('lets imports go forward, within a folder, and between util and core', async () => {
    const ok = [
      ['src/vscode/probe.ts', "import { decide } from '../gate/gate';\nexport const d = decide;\n"],
      ['src/gate/probe.ts', "import type { Policy } from '../policy/compile';\nimport { strictest } from '../core/types';\nexport const s: [Policy?, typeof strictest?] = [];\n"],
      ['src/policy/probe.ts', "import { evaluate } from './evaluate';\nexport const e = evaluate;\n"],
      ['src/util/probe.ts', "import { strictest } from '../core/types';\nexport const s = strictest;\n"],
      ['src/extension.ts', "import { runCli } from './cli/run';\nexport const r = runCli;\n"],
    ];
    for (const [file, text] of ok) {
      assert.deepEqual(await lint(file, text), [], file);
    }
  });

  it('asks for a new folder to be placed in the order', async () => {
    assert.match((await lint('src/cli/probe.ts', "import { x } from '../newthing/x';\nexport const y = x;\n")).join('\n'), /src\/newthing is not in the folder order/);
  });
});
