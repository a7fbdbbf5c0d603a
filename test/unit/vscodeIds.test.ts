import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Commands, ContextKeys, EXTENSION_ID, Schemes, Settings, StatusBarItems, ViewCommands, ViewItems, Views, WebviewTypes } from '../../src/vscode/ids';

const root = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const nls = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
const contributes = pkg.contributes;

const commandIds = new Set<string>(Object.values(Commands));
const viewIds = [Views.pending, Views.timeline, Views.status] as const;
/** Commands VS Code makes for Airlock's views (`airlock.timeline.focus`), which package.json may use. */
const generated = new Set<string>([...viewIds.map((v) => ViewCommands.focus(v)), ViewCommands.openContainer]);

/** Every `command:` link in a markdown text (walkthroughs, welcome views). */
function linkedCommands(text: string): string[] {
  return [...text.matchAll(/\(command:([\w.-]+)/g)].map((m) => m[1]);
}

/** The `airlock.*` names in a when clause, by what they are compared as. */
function whenNames(when: string): { keys: string[]; viewItems: string[]; views: string[]; schemes: string[]; webviews: string[] } {
  const viewItems = [...when.matchAll(/viewItem\s*==\s*([\w.-]+)/g)].map((m) => m[1]);
  const views = [...when.matchAll(/\bview\s*==\s*([\w.-]+)/g)].map((m) => m[1]);
  const schemes = [...when.matchAll(/resourceScheme\s*==\s*([\w.-]+)/g)].map((m) => m[1]);
  const webviews = [...when.matchAll(/activeWebviewPanelId\s*==\s*'([\w.-]+)'/g)].map((m) => m[1]);
  const compared = new Set([...viewItems, ...views, ...webviews]);
  const keys = [...when.matchAll(/(?<![\w.])(airlock\.[\w.]+)/g)].map((m) => m[1]).filter((k) => !compared.has(k));
  return { keys, viewItems, views, schemes, webviews };
}

describe('VS Code ids: package.json and the source use only the ids declared in src/vscode/ids.ts', () => {
  it('package.json contributes exactly the commands ids.ts declares', () => {
    const contributed = (contributes.commands as { command: string }[]).map((c) => c.command).sort();
    assert.deepEqual(contributed, [...commandIds].sort());
    assert.equal(new Set(contributed).size, contributed.length, 'no command is contributed twice');
  });

  it('every command title and walkthrough text has its localized string', () => {
    for (const c of contributes.commands as { title: string }[]) {
      const key = /^%(.+)%$/.exec(c.title)?.[1];
      assert.ok(key && nls[key], `${c.title} has a string in package.nls.json`);
    }
  });

  it('every command a menu, keybinding, walkthrough or welcome view names exists', () => {
    const used: [string, string][] = [];
    for (const [menu, items] of Object.entries(contributes.menus as Record<string, { command: string }[]>)) {
      items.forEach((i) => used.push([`menus.${menu}`, i.command]));
    }
    (contributes.keybindings as { command: string }[]).forEach((k) => used.push(['keybindings', k.command]));
    for (const w of contributes.walkthroughs as { id: string; steps: { id: string; description: string; completionEvents?: string[] }[] }[]) {
      for (const s of w.steps) {
        (s.completionEvents ?? []).filter((e) => e.startsWith('onCommand:')).forEach((e) => used.push([`walkthrough ${s.id}`, e.slice('onCommand:'.length)]));
        const text = nls[/^%(.+)%$/.exec(s.description)?.[1] ?? ''] ?? s.description;
        linkedCommands(text).forEach((c) => used.push([`walkthrough ${s.id} text`, c]));
      }
    }
    for (const v of contributes.viewsWelcome as { view: string; contents: string }[]) {
      const text = nls[/^%(.+)%$/.exec(v.contents)?.[1] ?? ''] ?? v.contents;
      linkedCommands(text).forEach((c) => used.push([`viewsWelcome ${v.view}`, c]));
    }
    const unknown = used.filter(([, c]) => !commandIds.has(c) && !generated.has(c));
    assert.deepEqual(unknown, [], 'commands that are neither contributed nor generated for a view');
    assert.ok(used.length > 20, `found ${used.length} uses`);
  });

  it('views, view items, context keys, schemes and settings in package.json are the ones ids.ts declares', () => {
    assert.deepEqual((contributes.viewsContainers.activitybar as { id: string }[]).map((c) => c.id), [Views.container]);
    assert.deepEqual(
      (contributes.views[Views.container] as { id: string }[]).map((v) => v.id).sort(),
      [...viewIds].sort(),
    );
    const whens: string[] = [];
    for (const items of Object.values(contributes.menus as Record<string, { when?: string }[]>)) {
      items.forEach((i) => i.when && whens.push(i.when));
    }
    (contributes.keybindings as { when?: string }[]).forEach((k) => k.when && whens.push(k.when));
    (contributes.commands as { enablement?: string }[]).forEach((c) => c.enablement && whens.push(c.enablement));
    (contributes.views[Views.container] as { when?: string }[]).forEach((v) => v.when && whens.push(v.when));
    (contributes.viewsWelcome as { when?: string }[]).forEach((v) => v.when && whens.push(v.when));
    const bad: string[] = [];
    for (const when of whens) {
      const n = whenNames(when);
      n.viewItems.filter((i) => !Object.values<string>(ViewItems).includes(i)).forEach((i) => bad.push(`viewItem ${i} in "${when}"`));
      n.views.filter((v) => !(viewIds as readonly string[]).includes(v)).forEach((v) => bad.push(`view ${v} in "${when}"`));
      n.schemes.filter((s) => !Object.values<string>(Schemes).includes(s)).forEach((s) => bad.push(`scheme ${s} in "${when}"`));
      n.webviews.filter((w) => !Object.values<string>(WebviewTypes).includes(w)).forEach((w) => bad.push(`webview ${w} in "${when}"`));
      n.keys.filter((k) => !Object.values<string>(ContextKeys).includes(k)).forEach((k) => bad.push(`context key ${k} in "${when}"`));
    }
    assert.deepEqual(bad, []);
    const settings = Object.keys(contributes.configuration.properties).sort();
    const declared = Object.entries(Settings)
      .filter(([k]) => k !== 'section')
      .map(([, v]) => `${Settings.section}.${v}`)
      .sort();
    assert.deepEqual(settings, declared);
    assert.equal(`${pkg.publisher}.${pkg.name}`, EXTENSION_ID);
  });

  it('no source file of the VS Code layer spells an id as a string literal (only ids.ts does)', () => {
    const ids = new Set<string>([
      ...commandIds,
      ...Object.values(Views),
      ...Object.values(ViewItems),
      ...Object.values(ContextKeys),
      ...Object.values(Schemes),
      ...Object.values(StatusBarItems),
      ...Object.values(WebviewTypes),
      ...generated,
      EXTENSION_ID,
    ]);
    const files = [path.join(root, 'src', 'extension.ts'), ...fs.readdirSync(path.join(root, 'src', 'vscode')).map((f) => path.join(root, 'src', 'vscode', f))].filter((f) => f.endsWith('.ts') && !f.endsWith(`${path.sep}ids.ts`));
    const found: string[] = [];
    for (const file of files) {
      // Comments may name ids; code may not. ('airlock' alone is also an agent and a change cause.)
      const text = fs.readFileSync(file, 'utf8').replace(/\/\*[^]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      for (const m of text.matchAll(/(['"`])((?:airlock[.-]|workbench\.view\.extension)[\w.-]*)\1/g)) {
        if (ids.has(m[2]) || (/^airlock\./.test(m[2]) && !/\.(svg|png|json|js|css|md|log)$/.test(m[2]))) {
          found.push(`${path.relative(root, file)}: ${m[0]}`);
        }
      }
    }
    assert.deepEqual(found, []);
  });
});
