// The chant extension: starts the chant-lsp language server for chant spec projects and adds
// commands to run specs through it. Everything about specs is the server's job; this file only
// finds the binary, passes settings, forwards commands and shows runs in the status bar.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ProgressToken,
  ServerOptions,
  State,
  TransportKind,
  WorkDoneProgressBegin,
  WorkDoneProgressEnd,
  WorkDoneProgressReport,
} from 'vscode-languageclient/node';
import { SpecsView } from './specsView';

/** Documents the server is started for: markdown files inside a `.chant` folder. */
const DOCUMENT_SELECTOR = [{ scheme: 'file', language: 'markdown', pattern: '**/.chant/**/*.md' }];

/** Progress tokens of agent runs start with this (`chant-lsp/run/<spec ID>/<pid>`). */
const RUN_TOKEN_PREFIX = 'chant-lsp/run/';

/**
 * Server commands allowed in Restricted Mode: they only read, stop a run or edit files the way a
 * quick fix does. Every other server command (`chant.run`, `chant.verify`, `chant.reset`,
 * `chant.split`, and any added later) runs the chant program, so it is refused until the
 * workspace is trusted, whoever asks (a command, a code lens or a code action).
 */
const ALLOWED_UNTRUSTED = new Set(['chant.stop', 'chant.showLog', 'chant.explain', 'chant.removeBom', 'chant.createFile', 'chant.showChanges']);

const TRUST_REASON = 'chant runs agents that change your repository; trust this workspace to run specs.';

// Notifications show plain text (no markdown), hence quotes rather than backticks.
const INSTALL_HINT =
  'Install chant-lsp ("cargo install --path ." in a chant-lsp checkout, or build it with "cargo build --release" ' +
  'and use target/release/chant-lsp), then put it on PATH or set the "chant.server.path" setting to its full path, ' +
  'and run "chant: Restart Language Server".';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let runs: RunStatus;
let specs: SpecsView;
let starting: Promise<void> | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('chant');
  runs = new RunStatus();
  specs = new SpecsView(() => client, (command, args) => sendServerCommand(command, args));
  context.subscriptions.push(output, runs, specs);

  context.subscriptions.push(
    vscode.commands.registerCommand('chant.runSpec', (...args: unknown[]) => sendServerCommand('chant.run', args)),
    vscode.commands.registerCommand('chant.stopRun', (...args: unknown[]) => sendServerCommand('chant.stop', args)),
    vscode.commands.registerCommand('chant.showRunLog', (...args: unknown[]) => sendServerCommand('chant.showLog', args)),
    vscode.commands.registerCommand('chant.restartServer', () => restart()),
  );

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (client && e.affectsConfiguration('chant.server.path')) {
        void restart();
      }
    }),
    // In Restricted Mode the workspace's chant.server.path is ignored; once trusted it counts.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (client) {
        void restart();
      }
    }),
  );

  // Activation also happens for any markdown file (onLanguage:markdown); start the server only
  // for a chant project, so other markdown users never see a missing-server error.
  if (vscode.workspace.textDocuments.some(isSpec) || (await hasChantProject())) {
    await ensureStarted();
  } else {
    const listener = vscode.workspace.onDidOpenTextDocument((doc) => {
      if (isSpec(doc)) {
        listener.dispose();
        void ensureStarted();
      }
    });
    context.subscriptions.push(listener);
  }
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    await c.stop().catch(() => undefined);
  }
}

function isSpec(doc: vscode.TextDocument): boolean {
  return vscode.languages.match(DOCUMENT_SELECTOR, doc) > 0;
}

async function hasChantProject(): Promise<boolean> {
  if (!vscode.workspace.workspaceFolders?.length) {
    return false;
  }
  const found = await vscode.workspace.findFiles('**/.chant/config.md', '**/node_modules/**', 1);
  return found.length > 0;
}

function ensureStarted(): Promise<void> {
  if (!client && !starting) {
    starting = start().finally(() => (starting = undefined));
  }
  return starting ?? Promise.resolve();
}

// --- finding the server ------------------------------------------------------------------------

type Found = { path: string; from: string } | { problem: string };

function findServer(): Found {
  const fromEnv = process.env.CHANT_LSP_PATH?.trim();
  if (fromEnv) {
    return checkExecutable(fromEnv, 'the CHANT_LSP_PATH environment variable');
  }
  const fromSetting = vscode.workspace.getConfiguration('chant').get<string>('server.path', '').trim();
  if (fromSetting) {
    return checkExecutable(resolveSettingPath(fromSetting), 'the chant.server.path setting');
  }
  const onPath = searchPath('chant-lsp');
  if (onPath) {
    return { path: onPath, from: 'PATH' };
  }
  return { problem: 'chant-lsp was not found on PATH.' };
}

function resolveSettingPath(p: string): string {
  if (p === '~' || p.startsWith('~/')) {
    p = path.join(os.homedir(), p.slice(1));
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!path.isAbsolute(p) && folder && p.includes('/')) {
    p = path.join(folder.uri.fsPath, p);
  } else if (!path.isAbsolute(p)) {
    return searchPath(p) ?? p;
  }
  return p;
}

function checkExecutable(p: string, from: string): Found {
  if (isExecutableFile(p)) {
    return { path: p, from };
  }
  return { problem: `${from} names "${p}", which is not an executable file.` };
}

function isExecutableFile(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) {
      return false;
    }
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function searchPath(name: string): string | undefined {
  const exts = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE').split(';') : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext.toLowerCase());
      if (isExecutableFile(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

// --- the language client -----------------------------------------------------------------------

function settings(): unknown {
  // Plain JSON of the `chant` section, as the server reads it from workspace/configuration.
  return JSON.parse(JSON.stringify(vscode.workspace.getConfiguration().get('chant') ?? {}));
}

async function start(): Promise<void> {
  const found = findServer();
  if ('problem' in found) {
    output.appendLine(`chant-lsp not started: ${found.problem}`);
    // Not awaited: activation must not wait for the user to answer.
    void vscode.window
      .showErrorMessage(
        `chant: the language server could not be started: ${found.problem} ${INSTALL_HINT}`,
        'Open Settings',
        'Retry',
      )
      .then((choice) => {
        if (choice === 'Open Settings') {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'chant.server.path');
        } else if (choice === 'Retry') {
          void restart();
        }
      });
    return;
  }
  output.appendLine(`starting ${found.path} (from ${found.from})`);

  const serverOptions: ServerOptions = {
    command: found.path,
    args: [],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    // The server asks workspace/configuration for the `chant` section and is told of changes.
    synchronize: { configurationSection: 'chant' },
    initializationOptions: settings,
    middleware: {
      // Code actions reach the server through VS Code commands named like the server's
      // commands; agent runs go through the same trust check as "chant: Run This Spec".
      executeCommand: async (command, args, next) => {
        if (!allowed(command)) {
          void showUntrusted();
          return undefined;
        }
        return next(command, args);
      },
      handleWorkDoneProgress: (token, params, next) => {
        runs.update(token, params);
        next(token, params);
      },
    },
  };

  const c = new LanguageClient('chant', 'chant language server', serverOptions, clientOptions);
  c.onDidChangeState((e) => {
    if (e.newState === State.Stopped) {
      runs.clear();
      specs.clear();
    }
  });
  client = c;
  try {
    await c.start();
    specs.attach(c);
  } catch (e) {
    output.appendLine(`chant-lsp failed to start: ${errorText(e)}`);
    void vscode.window.showErrorMessage(
      `chant: the language server (${found.path}) failed to start: ${errorText(e)}. ${INSTALL_HINT}`,
    );
  }
}

async function restart(): Promise<void> {
  await starting;
  const old = client;
  client = undefined;
  runs.clear();
  if (old) {
    output.appendLine('restarting the language server');
    await old.stop().catch((e) => output.appendLine(`stopping the old server: ${errorText(e)}`));
  }
  await ensureStarted();
}

// --- commands ----------------------------------------------------------------------------------

function allowed(serverCommand: string): boolean {
  return vscode.workspace.isTrusted || ALLOWED_UNTRUSTED.has(serverCommand);
}

/**
 * The arguments for a server command: the spec's URI string, from the command's own arguments
 * (a code lens or code action passes the server's arguments; a menu passes a Uri), else the
 * spec in the active editor.
 */
function commandArguments(args: unknown[]): unknown[] | undefined {
  const [first] = args;
  if (first instanceof vscode.Uri) {
    return [first.toString()];
  }
  if (typeof first === 'string' && first) {
    return args;
  }
  const doc = vscode.window.activeTextEditor?.document;
  return doc && isSpec(doc) ? [doc.uri.toString()] : undefined;
}

async function sendServerCommand(command: string, args: unknown[]): Promise<void> {
  const commandArgs = commandArguments(args);
  if (!commandArgs) {
    void vscode.window.showWarningMessage('chant: open a spec (a markdown file in .chant/specs) first.');
    return;
  }
  if (!allowed(command)) {
    await showUntrusted();
    return;
  }
  await ensureStarted();
  const c = client;
  if (!c) {
    return; // start() has just said why the server could not be started
  }
  if (!c.isRunning()) {
    void vscode.window.showErrorMessage(
      'chant: the language server is not running. ' + INSTALL_HINT + ' Its log is in the "chant" output channel.',
    );
    return;
  }
  try {
    // The server shows its own messages (a refusal, the outcome of a run).
    await c.sendRequest(ExecuteCommandRequest.type, { command, arguments: commandArgs });
  } catch (e) {
    output.appendLine(`${command} ${String(commandArgs[0])}: ${errorText(e)}`);
    void vscode.window.showErrorMessage(`chant: ${command} failed: ${errorText(e)}`);
  }
}

async function showUntrusted(): Promise<void> {
  const choice = await vscode.window.showWarningMessage(`chant: ${TRUST_REASON}`, 'Manage Workspace Trust');
  if (choice) {
    await vscode.commands.executeCommand('workbench.trust.manage');
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// --- runs in the status bar --------------------------------------------------------------------

type Progress = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

/** A status bar item with the number of agent runs in progress, hidden when there are none. */
class RunStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly active = new Map<string, { title: string; message?: string }>();

  constructor() {
    this.item = vscode.window.createStatusBarItem('chant.runs', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'chant runs';
  }

  update(token: ProgressToken, value: Progress): void {
    const key = String(token);
    if (!key.startsWith(RUN_TOKEN_PREFIX)) {
      return;
    }
    if (value.kind === 'begin') {
      this.active.set(key, { title: value.title, message: value.message });
    } else if (value.kind === 'report') {
      const run = this.active.get(key) ?? { title: `chant work ${key.slice(RUN_TOKEN_PREFIX.length)}` };
      run.message = value.message ?? run.message;
      this.active.set(key, run);
    } else {
      this.active.delete(key);
    }
    this.render();
  }

  clear(): void {
    this.active.clear();
    this.render();
  }

  private render(): void {
    const n = this.active.size;
    if (n === 0) {
      this.item.hide();
      return;
    }
    this.item.text = `$(sync~spin) chant: ${n} run${n === 1 ? '' : 's'}`;
    this.item.tooltip = [...this.active.values()]
      .map((r) => (r.message ? `${r.title}: ${r.message}` : r.title))
      .join('\n');
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
