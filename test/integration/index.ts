import * as path from 'node:path';
import * as fs from 'node:fs';
import Mocha from 'mocha';
import * as vscode from 'vscode';

/** Entry point VS Code calls inside the extension host (extensionTestsPath). */
export async function run(): Promise<void> {
  console.log(`Integration tests inside VS Code ${vscode.version} (${vscode.env.appName}, ${vscode.env.appHost})`);
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false, reporter: 'spec' });
  const grep = process.env.AIRLOCK_TEST_GREP;
  if (grep) {
    mocha.grep(grep);
  }
  for (const f of fs.readdirSync(__dirname).sort()) {
    if (f.endsWith('.test.js')) {
      mocha.addFile(path.join(__dirname, f));
    }
  }
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => {
      console.log(`integration: ${mocha.suite.total()} defined, ${failures} failed`);
      if (failures > 0) {
        reject(new Error(`${failures} integration test(s) failed`));
      } else {
        resolve();
      }
    });
  });
}
