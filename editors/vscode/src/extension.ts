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
import { versionProblem } from './serverVersion';
import { GraphView } from './graph';
import { SpecsView } from './specsView';

/** Documents the server is started for: markdown files inside a `.chant` folder. */
const DOCUMENT_SELECTOR = [{ scheme: 'file', language: 'markdown', pattern: '**/.chant/**/*.md' }];

type Filter = { scheme: string; language?: string; pattern: string };

/** Progress tokens of agent runs start with this (`chant-lsp/run/<spec ID>/<pid>`). */
const RUN_TOKEN_PREFIX = 'chant-lsp/run/';

/**
 * Server commands allowed in Restricted Mode: they only read, stop a run or edit files the way a
 * quick fix does. Every other server command (`chant.run`, `chant.verify`, `chant.reset`,
 * `chant.split`, and any added later) runs the chant program, so it is refused until the
 * workspace is trusted, whoever asks (a command, a code lens or a code action).
 */
const ALLOWED_UNTRUSTED = new Set(['chant.stop', 'chant.showLog', 'chant.explain', 'chant.removeBom', 'chant.createFile', 'chant.showChanges', 'chant.openSpec', 'chant.specOfLine']);

const TRUST_REASON = 'chant runs agents that change your repository; trust this workspace to run specs.';

// Notifications show plain text (no markdown), hence quotes rather than backticks.
const INSTALL_HINT =
  'Install the chant .vsix for your platform, which carries the server, or install chant-lsp ' +
  '("cargo install --path ." in a chant-lsp checkout, or build it with "cargo build --release" ' +
  'and use target/release/chant-lsp), then put it on PATH or set the "chant.server.path" setting to its full path, ' +
  'and run "chant: Restart Language Server".';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
const changes = new Map<string, string>();
let runs: RunStatus;
let specs: SpecsView;
let starting: Promise<void> | undefined;
/** Where the extension is installed: a platform-specific .vsix carries the server in server/. */
let extensionPath = '';
/** `chantLsp.minimumServerVersion` of package.json: older servers get one warning. */
let minimumServerVersion: string | undefined;
/** Server versions already warned about in this session (a restart does not warn again). */
const warnedVersions = new Set<string>();
let graphView: GraphView;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('chant');
  extensionPath = context.extensionPath;
  minimumServerVersion = context.extension.packageJSON?.chantLsp?.minimumServerVersion;
  runs = new RunStatus();
  graphView = new GraphView(() => client, output);
  specs = new SpecsView(() => client, (command, args) => sendServerCommand(command, args));
  context.subscriptions.push(output, runs, graphView, specs);
  // "Show changes" opens a side-by-side diff view of these read-only texts.
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(CHANGES_SCHEME, {
      provideTextDocumentContent: (uri) => changes.get(uri.toString()) ?? '',
    }),
  );

  context.subscriptions.push(
    vscode.commands.registerCommand('chant.runSpec', (...args: unknown[]) => sendServerCommand('chant.run', args)),
    vscode.commands.registerCommand('chant.stopRun', (...args: unknown[]) => sendServerCommand('chant.stop', args)),
    vscode.commands.registerCommand('chant.showRunLog', (...args: unknown[]) => sendServerCommand('chant.showLog', args)),
    vscode.commands.registerCommand('chant.whichSpecWroteLine', () => sendServerCommand('chant.specOfLine', lineArguments(), 'a file of a chant project')),
    vscode.commands.registerCommand('chant.restartServer', () => restart()),
    vscode.commands.registerCommand('chant.showGraph', async () => {
      await ensureStarted();
      await graphView.show();
    }),
  );

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      // The server path, or which files the client attaches to (source files or not).
      if (client && (e.affectsConfiguration('chant.server.path') || e.affectsConfiguration('chant.sourceFiles.enabled'))) {
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

/** Escapes glob characters in a path, for a pattern that matches it literally. */
function globEscape(p: string): string {
  return p.replace(/[[\]{}*?]/g, (c) => `[${c}]`);
}

/**
 * What the client attaches to: specs, and with `chant.sourceFiles.enabled` (the default) every
 * file under each chant project (a folder holding `.chant/config.md`), so that any project file
 * gets the lenses and references naming the specs that change or read it. The server keeps no
 * text of those files.
 */
async function documentSelector(): Promise<Filter[]> {
  const selector: Filter[] = [...DOCUMENT_SELECTOR];
  if (!vscode.workspace.getConfiguration('chant').get<boolean>('sourceFiles.enabled', true)) {
    return selector;
  }
  const configs = await vscode.workspace.findFiles('**/.chant/config.md', '**/node_modules/**', 100);
  const roots = new Set(configs.map((c) => path.dirname(path.dirname(c.fsPath))));
  for (const root of roots) {
    selector.push({ scheme: 'file', pattern: `${globEscape(root)}/**/*` });
  }
  return selector;
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
  const bundled = bundledServer();
  if (bundled) {
    return { path: bundled, from: 'the binary inside the extension' };
  }
  const onPath = searchPath('chant-lsp');
  if (onPath) {
    return { path: onPath, from: 'PATH' };
  }
  return { problem: 'chant-lsp was not found on PATH.' };
}

/**
 * The server inside a platform-specific .vsix (server/chant-lsp), made executable if unpacking
 * lost its mode; undefined for a .vsix without one.
 */
function bundledServer(): string | undefined {
  if (!extensionPath) {
    return undefined;
  }
  const p = path.join(extensionPath, 'server', process.platform === 'win32' ? 'chant-lsp.exe' : 'chant-lsp');
  try {
    if (!fs.statSync(p).isFile()) {
      return undefined;
    }
  } catch {
    return undefined;
  }
  if (!isExecutableFile(p)) {
    try {
      fs.chmodSync(p, 0o755);
      output.appendLine(`made ${p} executable (the .vsix had lost its mode)`);
    } catch (e) {
      output.appendLine(`${p} is not executable and chmod failed: ${errorText(e)}`);
      return undefined;
    }
  }
  return isExecutableFile(p) ? p : undefined;
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
    documentSelector: await documentSelector(),
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
        if (command === 'chant.showChanges' && (await showChangesInDiffView(args))) {
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
  // One handler for the notification (a client keeps one per method): both views follow it.
  c.onNotification('chant-lsp/projectChanged', (params: { root?: string }) => {
    graphView.projectChanged(params);
    specs.projectChanged();
  });
  c.onDidChangeState((e) => {
    if (e.newState === State.Stopped) {
      runs.clear();
      specs.clear();
    }
  });
  client = c;
  try {
    await c.start();
    reportVersion(c, found.path);
    specs.attach(c);
  } catch (e) {
    output.appendLine(`chant-lsp failed to start: ${errorText(e)}`);
    void vscode.window.showErrorMessage(
      `chant: the language server (${found.path}) failed to start: ${errorText(e)}. ${INSTALL_HINT}`,
    );
  }
}

/** Writes the server's version to the output channel and warns once if it is too old. */
function reportVersion(c: LanguageClient, serverPath: string): void {
  const info = c.initializeResult?.serverInfo;
  const version = info?.version;
  output.appendLine(`${info?.name ?? 'the server'} ${version ?? '(no version reported)'} at ${serverPath}`);
  const problem = versionProblem(version, minimumServerVersion);
  const key = `${serverPath}@${version ?? ''}`;
  if (problem && !warnedVersions.has(key)) {
    warnedVersions.add(key);
    output.appendLine(problem);
    void vscode.window.showWarningMessage(`chant: ${problem}`);
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

/** The arguments of `chant.specOfLine`: the active editor's file and its cursor's line. */
function lineArguments(): unknown[] | undefined {
  const editor = vscode.window.activeTextEditor;
  return editor && [editor.document.uri.toString(), editor.selection.active.line];
}

async function sendServerCommand(
  command: string,
  args: unknown[] | undefined,
  needs = 'a spec (a markdown file in .chant/specs)',
): Promise<void> {
  const commandArgs = args && commandArguments(args);
  if (!commandArgs) {
    void vscode.window.showWarningMessage(`chant: open ${needs} first.`);
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

// --- "Show changes" in the diff view ------------------------------------------------------------

const CHANGES_SCHEME = 'chant-changes';
let changesShown = 0;

type FilePair = { path: string; uri: string | null; before: string | null; after: string | null; binary: boolean };
type Changes = { title: string; commits: number; files: FilePair[] } | { refused: string };

/**
 * `chant.showChanges` in VS Code's multi-file diff view: the server's `chant-lsp/changes` gives
 * each file's text before and after, shown read-only. False when the view cannot be used (an older
 * server, or a VS Code without `vscode.changes`): the server's unified diff document is shown then.
 */
async function showChangesInDiffView(args: unknown[]): Promise<boolean> {
  const c = client;
  if (!c || !(await vscode.commands.getCommands(true)).includes('vscode.changes')) {
    return false;
  }
  const [uri, opts] = args as [string, { path?: string } | undefined];
  let found: Changes;
  try {
    found = await c.sendRequest<Changes>('chant-lsp/changes', { uri, path: opts?.path ?? null });
  } catch (e) {
    output.appendLine(`chant-lsp/changes: ${errorText(e)}; showing the unified diff instead`);
    return false;
  }
  if ('refused' in found) {
    void vscode.window.showInformationMessage(`chant: ${found.refused}`);
    return true;
  }
  const n = ++changesShown;
  // Older views' texts are dropped: only the latest diff view stays backed.
  changes.clear();
  // Both sides under the file's own path (no rename shown), told apart by the query.
  const side = (which: string, f: FilePair, text: string | null) => {
    const u = vscode.Uri.from({ scheme: CHANGES_SCHEME, path: `/${f.path}`, query: `${n}-${which}` });
    changes.set(u.toString(), f.binary ? '(binary file)' : text ?? '');
    return u;
  };
  const entries = found.files.map((f) => [
    f.uri ? vscode.Uri.parse(f.uri) : side('file', f, f.after),
    side('before', f, f.before),
    side('after', f, f.after),
  ]);
  await vscode.commands.executeCommand('vscode.changes', found.title, entries);
  return true;
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
