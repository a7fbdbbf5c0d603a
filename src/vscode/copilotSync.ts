import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChangeAttribution } from '../gate/changeAttribution';
import { fileContents } from '../util/fileHash';
import type { OwnedByWorkspace, OwnedKeys, SettingsPlan, SharedPlan } from '../policy/copilotSettings';
import { copilotApprovalEntries, EDITS_KEY, planSettings, planSharedSetting } from '../policy/copilotSettings';
import { withSandboxSettings } from '../sandbox/copilotSandbox';
import type { AirlockConfig, ConfigWatcher } from './config';
import type { CopilotSandboxSettings } from './copilotSandboxSync';
import { Commands, Schemes, StateKeys } from './ids';
import type { PolicyService } from './policyService';

/** Copilot's chat extension, whose agent mode reads the approval settings. */
const COPILOT_CHAT = 'GitHub.copilot-chat';

/** Whether Copilot's agent mode can run here: its extension is installed and AI features are on. */
function copilotInUse(): boolean {
  return vscode.extensions.getExtension(COPILOT_CHAT) !== undefined && vscode.workspace.getConfiguration('chat').get<boolean>('disableAIFeatures') !== true;
}

const OWNED_STATE_KEY = StateKeys.copilotOwnedKeys;
const OWNED_EDITS_KEY = StateKeys.copilotOwnedEditKeys;
const SETTINGS_PREVIEW_SCHEME = Schemes.settingsPreview;
/** Policy changes are merged for this long before a sync (a save fires several events). */
const DEBOUNCE_MS = 25;

export interface UserPlan extends SharedPlan {
  readonly workspace: string;
}

export interface FolderPlan {
  readonly folder: vscode.WorkspaceFolder;
  /** The folder's `.vscode/settings.json`. */
  readonly file: string;
  readonly plan: SettingsPlan;
}

/**
 * Keeps Copilot agent mode's approval settings in step with the policy (see
 * src/policy/copilotSettings.ts), so its built-in tools ask where Airlock's policy asks:
 * `chat.tools.terminal.autoApprove` in each folder's `.vscode/settings.json` (VS Code reads it there
 * in trusted workspaces), and `chat.tools.edits.autoApprove` in the user settings (VS Code 1.139
 * declares it application-scoped and ignores workspace values). Which keys Airlock wrote is kept in
 * workspaceState (folders) and globalState (user, per workspace); every other entry, and every
 * comment in settings.json, stays as the developer wrote it.
 */
export class CopilotSettingsSync implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The planned text we already asked about, per folder (ask once per change). */
  private readonly asked = new Map<string, string>();
  /** Whether this window already offered a sync (it offers once). */
  private offered = false;
  private readonly previews = new Map<string, string>();
  private readonly previewChanged = new vscode.EventEmitter<vscode.Uri>();
  private readonly synced = new vscode.EventEmitter<FolderPlan | UserPlan>();
  /** Fires after Airlock wrote a folder's settings or the user-level edits setting. */
  readonly onDidSync = this.synced.event;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly policy: PolicyService,
    private readonly state: vscode.Memento,
    private readonly globalState: vscode.Memento,
    private readonly attribution: ChangeAttribution,
    private readonly log: vscode.LogOutputChannel,
    private readonly config: ConfigWatcher,
    /** Copilot's terminal sandbox settings per folder (src/vscode/copilotSandboxSync.ts). */
    private readonly sandbox?: CopilotSandboxSettings,
  ) {
    this.disposables.push(
      ...(sandbox ? [sandbox.onDidChange((p) => (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.fsPath === p).forEach((f) => this.schedule(f)))] : []),
      config.onDidChange((e) => {
        if (e.config.copilotSync !== e.previous.copilotSync) {
          this.resyncAll();
        }
      }),
      this.previewChanged,
      this.synced,
      vscode.workspace.registerTextDocumentContentProvider(SETTINGS_PREVIEW_SCHEME, {
        onDidChange: this.previewChanged.event,
        provideTextDocumentContent: (uri) => this.previews.get(uri.toString()) ?? '',
      }),
      policy.onDidChange((folder) => this.schedule(folder)),
    );
    (vscode.workspace.workspaceFolders ?? []).forEach((f) => this.schedule(f));
  }

  /** Syncs again (after the mode changed to ask or auto). */
  resyncAll(): void {
    this.asked.clear();
    this.offered = false;
    (vscode.workspace.workspaceFolders ?? []).forEach((f) => this.schedule(f));
  }

  private schedule(folder: vscode.WorkspaceFolder): void {
    const key = folder.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.serial(() => this.syncFolder(folder, this.config.current.copilotSync));
      }, DEBOUNCE_MS),
    );
    clearTimeout(this.timers.get('user'));
    this.timers.set(
      'user',
      setTimeout(() => {
        this.timers.delete('user');
        void this.serialUser(() => this.syncUser(this.config.current.copilotSync));
      }, DEBOUNCE_MS),
    );
  }

  /** An id for this workspace in the user-level ownership record. */
  private workspaceId(): string {
    return vscode.workspace.workspaceFile?.toString() ?? (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString()).join('|');
  }

  /** What a sync of the user-level `chat.tools.edits.autoApprove` would write. */
  planUser(): UserPlan {
    const wanted: Record<string, false> = {};
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      Object.assign(wanted, copilotApprovalEntries(this.policy.policy(f)).edits);
    }
    const current = vscode.workspace.getConfiguration().inspect<unknown>(EDITS_KEY)?.globalValue;
    const workspace = this.workspaceId();
    return { ...planSharedSetting(EDITS_KEY, current, this.globalState.get<OwnedByWorkspace>(OWNED_EDITS_KEY, {}), workspace, wanted), workspace };
  }

  async applyUser(p: UserPlan): Promise<boolean> {
    if (!p.changed) {
      await this.globalState.update(OWNED_EDITS_KEY, p.owned);
      return false;
    }
    await vscode.workspace.getConfiguration().update(EDITS_KEY, p.after, vscode.ConfigurationTarget.Global);
    await this.globalState.update(OWNED_EDITS_KEY, p.owned);
    this.log.info(`[copilot] user settings: ${EDITS_KEY} updated (${p.owned[p.workspace]?.length ?? 0} entries for this workspace)`);
    this.synced.fire(p);
    return true;
  }

  private async syncUser(mode: AirlockConfig['copilotSync']): Promise<void> {
    if (mode === 'off' || (vscode.workspace.workspaceFolders ?? []).length === 0) {
      return;
    }
    let p: UserPlan;
    try {
      p = this.planUser();
    } catch (err) {
      this.log.warn(`[copilot] user settings: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (p.conflicts.length) {
      this.log.warn(`[copilot] your own user-level entries override the policy for ${p.conflicts.join(', ')}`);
    }
    if (mode === 'auto' || !p.changed) {
      await this.applyUser(p);
      return;
    }
    this.offer('user', JSON.stringify(p.after), vscode.l10n.t("Copilot's edit approvals in your user settings are out of step with the Airlock policy."));
  }

  /**
   * Offers the change, at most once per window (the next policy change does not ask again), and
   * never while Copilot is not installed or VS Code's AI features are off.
   */
  private offer(key: string, planned: string, message: string): void {
    if (this.asked.get(key) === planned) {
      return;
    }
    this.asked.set(key, planned);
    if (!copilotInUse()) {
      this.log.info(`[copilot] ${message} Not asking: Copilot is not installed or AI features are off.`);
      return;
    }
    if (this.offered || this.state.get<boolean>(StateKeys.copilotOfferDismissed, false)) {
      this.log.info(`[copilot] ${message} (run "Sync Copilot Approval Settings" to review)`);
      return;
    }
    this.offered = true;
    const review = vscode.l10n.t('Review Changes');
    const apply = vscode.l10n.t('Apply');
    const always = vscode.l10n.t('Always Keep in Step');
    const never = vscode.l10n.t("Don't Ask Again");
    void vscode.window.showInformationMessage(message, review, apply, always, never).then(async (pick) => {
      if (pick === review) {
        await vscode.commands.executeCommand(Commands.syncCopilotSettings);
      } else if (pick === always) {
        // Changing the mode to auto syncs everything.
        await this.config.update('copilotSync', 'auto');
      } else if (pick === apply) {
        await this.applyAll();
      } else if (pick === never) {
        await this.state.update(StateKeys.copilotOfferDismissed, true);
      }
    });
  }

  /** Applies the current plans of every folder and of the user settings, says so, and closes the previews. */
  private async applyAll(): Promise<void> {
    let written = 0;
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      written += (await this.serial(async () => this.apply(await this.plan(f)))) ? 1 : 0;
    }
    written += (await this.serialUser(async () => this.applyUser(this.planUser()))) ? 1 : 0;
    await this.closePreviews();
    void vscode.window.showInformationMessage(
      written
        ? vscode.l10n.t("Copilot's approval settings now follow the Airlock policy ({0} updated).", written === 1 ? vscode.l10n.t('1 settings file') : vscode.l10n.t('{0} settings files', written))
        : vscode.l10n.t("Copilot's approval settings were already in step with the Airlock policy."),
    );
  }

  private async closePreviews(): Promise<void> {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === SETTINGS_PREVIEW_SCHEME);
    await vscode.window.tabGroups.close(tabs).then(undefined, () => undefined);
  }

  private runningUser: Promise<unknown> = Promise.resolve();

  /** The user-level setting has its own queue: VS Code's settings write is slower than a file write. */
  private serialUser<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.runningUser.then(fn, fn);
    this.runningUser = next.catch(() => undefined);
    return next;
  }

  /** Runs sync steps one after another, so two writes of one file never interleave. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.running.then(fn, fn);
    this.running = next.catch(() => undefined);
    return next;
  }

  private owned(folder: vscode.WorkspaceFolder): OwnedKeys {
    const all = this.state.get<Record<string, OwnedKeys>>(OWNED_STATE_KEY, {});
    return all[folder.uri.toString()] ?? { edits: [], terminal: [] };
  }

  private async setOwned(folder: vscode.WorkspaceFolder, owned: OwnedKeys): Promise<void> {
    const all = { ...this.state.get<Record<string, OwnedKeys>>(OWNED_STATE_KEY, {}) };
    all[folder.uri.toString()] = owned;
    await this.state.update(OWNED_STATE_KEY, all);
  }

  /** What a sync of this folder would write (throws when settings.json cannot be parsed). */
  async plan(folder: vscode.WorkspaceFolder): Promise<FolderPlan> {
    const file = path.join(folder.uri.fsPath, '.vscode', 'settings.json');
    let text = '';
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw err;
      }
    }
    // Only the terminal setting lives here: VS Code ignores the edits setting in workspace settings.
    const wanted = { edits: {}, terminal: copilotApprovalEntries(this.policy.policy(folder)).terminal };
    const plan = planSettings(text, this.owned(folder), wanted);
    // VS Code's own terminal sandbox (chat.agent.sandbox.*) from the same policy, in the same file.
    const sandbox = await this.sandbox?.wanted(folder.uri.fsPath);
    const after = sandbox ? withSandboxSettings(plan.after, sandbox) : plan.after;
    return { folder, file, plan: { ...plan, after, changed: after !== plan.before } };
  }

  private async syncFolder(folder: vscode.WorkspaceFolder, mode: AirlockConfig['copilotSync']): Promise<void> {
    if (mode === 'off') {
      return;
    }
    let p: FolderPlan;
    try {
      p = await this.plan(folder);
    } catch (err) {
      this.log.warn(`[copilot] ${folder.name}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (p.plan.conflicts.length) {
      this.log.warn(`[copilot] ${folder.name}: your own entries override the policy for ${p.plan.conflicts.join(', ')}`);
    }
    if (!p.plan.changed) {
      // Remember what we own even when nothing needs writing (the file was already in step).
      await this.setOwned(folder, p.plan.owned);
      return;
    }
    if (mode === 'auto') {
      await this.apply(p);
      return;
    }
    this.offer(folder.uri.toString(), p.plan.after, vscode.l10n.t("Copilot's terminal approvals in {0} are out of step with the Airlock policy.", folder.name));
  }

  /** Writes a planned settings.json, unless it changed meanwhile or is open with unsaved changes. */
  async apply(p: FolderPlan): Promise<boolean> {
    if (!p.plan.changed) {
      return false;
    }
    const uri = vscode.Uri.file(p.file);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
    if (open?.isDirty) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Airlock did not update {0}: it has unsaved changes. Save it, then run "Airlock: Sync Copilot Approval Settings".', vscode.workspace.asRelativePath(uri)));
      return false;
    }
    const now = await fs.promises.readFile(p.file, 'utf8').catch(() => '');
    if (now !== p.plan.before) {
      // Changed since the plan was made: plan again from what is there now.
      return this.apply(await this.plan(p.folder));
    }
    await fs.promises.mkdir(path.dirname(p.file), { recursive: true });
    this.attribution.note('airlock', [p.file]);
    // Written whole and renamed into place, so VS Code never reads half a file.
    const tmp = `${p.file}.airlock-${process.pid}.tmp`;
    await fs.promises.writeFile(tmp, p.plan.after);
    await fs.promises.rename(tmp, p.file);
    this.attribution.noteContent('airlock', await fileContents([p.file]));
    await this.setOwned(p.folder, p.plan.owned);
    this.log.info(`[copilot] ${p.folder.name}: updated ${path.relative(p.folder.uri.fsPath, p.file)} (${p.plan.owned.edits.length} edit and ${p.plan.owned.terminal.length} terminal entries owned by Airlock)`);
    this.synced.fire(p);
    return true;
  }

  /**
   * "Airlock: Sync Copilot Approval Settings": shows settings.json before and after for every folder
   * that is out of step, then applies the change if the developer says so. Returns the plans.
   */
  async syncCommand(): Promise<(FolderPlan | UserPlan)[]> {
    const plans: (FolderPlan | UserPlan)[] = [];
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      try {
        const p = await this.plan(f);
        if (p.plan.changed) {
          plans.push(p);
        }
      } catch (err) {
        void vscode.window.showErrorMessage(`${f.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const user = this.planUser();
    if (user.changed) {
      plans.push(user);
    }
    if (plans.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t("Copilot's approval settings are in step with the Airlock policy."));
      return [];
    }
    for (const p of plans) {
      if ('folder' in p) {
        const after = vscode.Uri.from({ scheme: SETTINGS_PREVIEW_SCHEME, path: p.file, query: 'after' });
        const before = fs.existsSync(p.file) ? vscode.Uri.file(p.file) : vscode.Uri.from({ scheme: SETTINGS_PREVIEW_SCHEME, path: p.file, query: 'before' });
        this.show(before, p.plan.before, after, p.plan.after);
        await vscode.commands.executeCommand('vscode.diff', before, after, vscode.l10n.t("{0}: settings.json with Airlock's Copilot approvals", p.folder.name), { preview: false });
      } else {
        const before = vscode.Uri.from({ scheme: SETTINGS_PREVIEW_SCHEME, path: '/User Settings/settings.json', query: 'before' });
        const after = vscode.Uri.from({ scheme: SETTINGS_PREVIEW_SCHEME, path: '/User Settings/settings.json', query: 'after' });
        const json = (v: unknown) => (v === undefined ? '' : `${JSON.stringify({ [EDITS_KEY]: v }, null, 2)}\n`);
        this.show(before, json(p.before), after, json(p.after));
        await vscode.commands.executeCommand('vscode.diff', before, after, vscode.l10n.t("User settings: Airlock's Copilot edit approvals"), { preview: false });
      }
    }
    const apply = vscode.l10n.t('Apply');
    const pick = await vscode.window.showInformationMessage(
      vscode.l10n.t('Apply these changes to {0} settings? Airlock only adds entries that make Copilot ask; your own entries stay.', plans.length),
      apply,
    );
    if (pick === apply) {
      await this.applyAll();
    }
    return plans;
  }

  private show(before: vscode.Uri, beforeText: string, after: vscode.Uri, afterText: string): void {
    this.previews.set(before.toString(), beforeText);
    this.previews.set(after.toString(), afterText);
    this.previewChanged.fire(before);
    this.previewChanged.fire(after);
  }

  dispose(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.disposables.forEach((d) => d.dispose());
  }
}
