import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The project's root (out/test/e2e -> root). */
export const projectRoot = path.resolve(__dirname, '..', '..', '..');

export interface RunResult {
  code: number;
  /** The private directory of the VS Code server that ran (removed when it stopped). */
  serverRoot: string;
  vscodeVersion: string;
  reason: string;
}

export interface VSCodeHarness {
  runTestsInVSCode(opts: {
    extensionDevelopmentPath: string;
    extensionTestsPath: string;
    workspace: string;
    timeoutMs?: number;
    env?: Record<string, string>;
    onLog?: (line: string) => void;
  }): Promise<RunResult>;
}

export interface RunningServer {
  port: number;
  root: string;
  vscodeVersion: string;
  url(folder: string, payload?: [string, string][]): string;
  stop(): Promise<void>;
}

export interface ServerLib {
  startVSCode(opts?: {
    testDriver?: boolean;
    installVsix?: string[];
    env?: Record<string, string>;
    settings?: Record<string, unknown>;
    quiet?: boolean;
    linkExtension?: string;
  }): Promise<RunningServer>;
  chromiumPath(): string;
  CHROMIUM_ARGS: string[];
  remoteUri(port: number, p: string): string;
}

export interface DemoLib {
  createDemoWorkspace(dir: string): string;
}

/** Loads one of the plain-JS harness modules in scripts/lib (ES modules) from the compiled tests. */
async function load<T>(name: string): Promise<T> {
  return (await import(pathToFileURL(path.join(projectRoot, 'scripts', 'lib', name)).href)) as T;
}

export const harness = () => load<VSCodeHarness>('runInVSCode.mjs');
export const serverLib = () => load<ServerLib>('vscodeServer.mjs');
export const demoLib = () => load<DemoLib>('demoWorkspace.mjs');
