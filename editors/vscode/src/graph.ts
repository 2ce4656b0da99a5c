// "chant: Show Dependency Graph": a webview beside the editor with the project's dependency graph,
// drawn by the server (the `chant-lsp/graph` request returns an SVG laid out by layout-rs). The
// current spec is highlighted and centred; clicking a node opens that spec; the picture is asked
// for again when the server says the project changed (`chant-lsp/projectChanged`), keeping the
// scroll position. The webview runs one inline script and one inline style, both allowed by nonce
// under a CSP that allows nothing else.

import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';

interface GraphReply {
  format: string;
  text: string;
  nodes: number;
  edges: number;
  root?: string;
  current?: string;
  around?: string;
  message?: string;
}

const SPEC = /[\\/]\.chant[\\/].*\.md$/;

export class GraphView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** The project root the panel shows (a `file:` URI string from the server). */
  private root: string | undefined;
  /** The spec or folder the graph was last asked for. */
  private target: vscode.Uri | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly client: () => LanguageClient | undefined,
    private readonly output: vscode.OutputChannel,
  ) {
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor((e) => {
        // Another spec of the same project: highlight it (the picture stays where it is).
        const uri = e?.document.uri;
        if (this.panel && uri && uri.scheme === 'file' && SPEC.test(uri.fsPath)) {
          this.target = uri;
          void this.refresh(true);
        }
      }),
    );
  }

  /** The server's `chant-lsp/projectChanged`: redraw when it is about the graph's project. */
  projectChanged(params: { root?: string }): void {
    if (this.panel && (!this.root || !params?.root || params.root === this.root)) {
      this.refreshSoon();
    }
  }

  /** The command: opens (or reveals) the panel for the active spec, else the first folder. */
  async show(): Promise<void> {
    const doc = vscode.window.activeTextEditor?.document;
    if (doc && doc.uri.scheme === 'file' && SPEC.test(doc.uri.fsPath)) {
      this.target = doc.uri;
    } else if (!this.target) {
      this.target = vscode.workspace.workspaceFolders?.[0]?.uri;
    }
    if (!this.target) {
      void vscode.window.showWarningMessage('chant: open a chant project first.');
      return;
    }
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
    } else {
      this.panel = vscode.window.createWebviewPanel(
        'chant.graph',
        'chant: dependency graph',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [] },
      );
      this.panel.webview.html = page(crypto.randomBytes(16).toString('base64'));
      this.panel.webview.onDidReceiveMessage((m) => this.onMessage(m));
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.root = undefined;
      });
    }
    await this.refresh(false);
  }

  private refreshSoon(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh(true);
    }, 250);
  }

  /** Asks the server for the picture and hands it to the webview. */
  private async refresh(keepScroll: boolean): Promise<void> {
    const c = this.client();
    if (!this.panel || !this.target) {
      return;
    }
    if (!c || !c.isRunning()) {
      void this.panel.webview.postMessage({ type: 'graph', svg: '', message: 'The chant language server is not running.' });
      return;
    }
    let reply: GraphReply;
    try {
      reply = await c.sendRequest<GraphReply>('chant-lsp/graph', { uri: this.target.toString(), format: 'svg' });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.output.appendLine(`chant-lsp/graph failed: ${message}`);
      void this.panel?.webview.postMessage({ type: 'graph', svg: '', message });
      return;
    }
    this.root = reply.root;
    const svg = reply.format === 'svg' ? reply.text : '';
    let message = reply.message ?? '';
    if (reply.format !== 'svg' && reply.text) {
      message += ' (DOT written to the chant output channel)';
      this.output.appendLine(reply.text);
    }
    void this.panel?.webview.postMessage({ type: 'graph', svg, current: reply.current, message, keepScroll });
  }

  private onMessage(m: { type?: string; path?: string }): void {
    if (m?.type !== 'open' || typeof m.path !== 'string' || !this.root) {
      return;
    }
    // Only project-relative paths the server wrote into the picture: no `..`, not absolute.
    if (m.path.startsWith('/') || m.path.split('/').includes('..')) {
      return;
    }
    const uri = vscode.Uri.joinPath(vscode.Uri.parse(this.root), m.path);
    this.target = uri;
    void vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One, preview: false });
  }

  dispose(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.panel?.dispose();
    this.subscriptions.forEach((s) => s.dispose());
  }
}

/** The webview's page: an empty container the script fills with the server's SVG. */
function page(nonce: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
  body { margin: 0; padding: 0; background: #ffffff; }
  #message { font-family: sans-serif; font-size: 13px; color: #333333; padding: 6px 10px; }
  #message:empty { display: none; }
  #graph { padding: 8px; }
  g.node { cursor: pointer; }
  g.node:hover rect { stroke-width: 3px; }
  g.node.current rect { stroke: #0a5fd8; stroke-width: 4px; }
</style>
</head>
<body>
<div id="message"></div>
<div id="graph"></div>
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  const graph = document.getElementById('graph');
  const message = document.getElementById('message');
  const scroller = document.scrollingElement || document.documentElement;
  window.addEventListener('message', (event) => {
    const m = event.data;
    if (!m || m.type !== 'graph') return;
    const x = scroller.scrollLeft, y = scroller.scrollTop;
    graph.innerHTML = m.svg || '';
    message.textContent = m.message || '';
    let current = null;
    for (const n of graph.querySelectorAll('g.node')) {
      if (m.current && n.getAttribute('data-id') === m.current) current = n;
    }
    if (current) current.classList.add('current');
    if (m.keepScroll) {
      scroller.scrollLeft = x;
      scroller.scrollTop = y;
    } else if (current) {
      current.scrollIntoView({ block: 'center', inline: 'center' });
    }
  });
  graph.addEventListener('click', (event) => {
    const node = event.target instanceof Element ? event.target.closest('g.node') : null;
    const path = node && node.getAttribute('data-path');
    if (path) vscode.postMessage({ type: 'open', path });
  });
</script>
</body>
</html>`;
}
