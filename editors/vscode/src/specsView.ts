// The Chant view: the server's `chant-lsp/specs` answer as a tree (a node per project when there
// are several; sections with counts, empty ones hidden, Completed collapsed; a row per spec that
// opens it), inline Run / Stop / Show log buttons that call the server commands the code actions
// call, shown only when the server says the action is enabled, and a status bar item with the
// counts. It asks the server again on `chant-lsp/projectChanged`; it never polls. Completed and
// Cancelled (most of a mature project) come as counts only until someone expands them: the rows
// are asked for then, and with every refresh while the section stays open.

import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';

/** The explorer view and the one in the Chant activity bar container. */
export const VIEW_IDS = ['chant.specs', 'chant.specsActivity'];

interface Action {
  enabled: boolean;
  command: string;
  title?: string;
  why?: string;
  /** `chant work` flags the run needs (the code action's). */
  flags?: Record<string, boolean>;
}

interface Item {
  id: string;
  shortId: string;
  title: string | null;
  uri: string;
  status: string;
  reason?: string;
  actions: { run: Action; stop: Action; showLog: Action };
}

interface Section {
  kind: string;
  label: string;
  count: number;
  /** Absent when the section was not asked for (`items` of the request). */
  items?: Item[];
}

interface Project {
  root: string;
  name: string;
  sections: Section[];
  ready: string[];
  queueNote?: string;
  counts: Record<string, number>;
}

type Node =
  | { type: 'project'; project: Project }
  | { type: 'section'; project: Project; section: Section }
  | { type: 'spec'; project: Project; section: Section; item: Item }
  | { type: 'note'; project: Project; text: string };

const SECTION_ICONS: Record<string, string> = {
  ready: 'play-circle',
  running: 'sync~spin',
  blocked: 'circle-slash',
  pending: 'clock',
  failed: 'error',
  paused: 'debug-pause',
  needsAttention: 'warning',
  stopped: 'debug-disconnect',
  completed: 'pass',
  cancelled: 'close',
};

/** Sections shown collapsed, whose rows are asked for only once they are expanded. */
const LAZY = new Set(['completed', 'cancelled']);

export class SpecsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private projects: Project[] = [];
  private readonly status: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private listener: vscode.Disposable | undefined;
  private asking: Promise<void> | undefined;
  private again = false;
  /** Collapsed-by-default sections someone expanded: their rows come with every refresh. */
  private readonly opened = new Set<string>();

  constructor(
    private readonly client: () => LanguageClient | undefined,
    private readonly send: (command: string, args: unknown[]) => Promise<void>,
  ) {
    this.status = vscode.window.createStatusBarItem('chant.specs', vscode.StatusBarAlignment.Left, 9);
    this.status.name = 'chant specs';
    this.status.command = 'chant.specs.focus';
    for (const id of VIEW_IDS) {
      const view = vscode.window.createTreeView(id, { treeDataProvider: this, showCollapseAll: true });
      this.disposables.push(
        view,
        view.onDidCollapseElement((e) => {
          if (e.element.type === 'section') {
            this.opened.delete(e.element.section.kind);
          }
        }),
      );
    }
    const action = (pick: (i: Item) => Action) => (node?: Node) => {
      if (node?.type === 'spec') {
        const a = pick(node.item);
        void this.send(a.command, a.flags ? [node.item.uri, a.flags] : [node.item.uri]);
      }
    };
    this.disposables.push(
      this.status,
      this.changed,
      vscode.commands.registerCommand('chant.specs.run', action((i) => i.actions.run)),
      vscode.commands.registerCommand('chant.specs.stop', action((i) => i.actions.stop)),
      vscode.commands.registerCommand('chant.specs.showLog', action((i) => i.actions.showLog)),
      vscode.commands.registerCommand('chant.specs.refresh', () => this.refresh()),
    );
  }

  /** Follows a (new) language client: asks once it runs (and on each projectChanged, which
   * the extension forwards to `projectChanged`). */
  attach(_c: LanguageClient): void {
    this.refresh();
  }

  /** The server's `chant-lsp/projectChanged`. */
  projectChanged(): void {
    this.refresh();
  }

  /** The server stopped: nothing to show. */
  clear(): void {
    this.projects = [];
    this.changed.fire(undefined);
    this.renderStatus();
  }

  /** Asks the server again (one request at a time; a change meanwhile asks once more). */
  refresh(): void {
    if (this.asking) {
      this.again = true;
      return;
    }
    this.asking = this.ask().finally(() => {
      this.asking = undefined;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    });
  }

  private async ask(): Promise<void> {
    const c = this.client();
    if (!c || !c.isRunning()) {
      return;
    }
    try {
      const items = Object.keys(SECTION_ICONS).filter((k) => !LAZY.has(k) || this.opened.has(k));
      const r = await c.sendRequest<{ projects: Project[] }>('chant-lsp/specs', { items });
      this.projects = r.projects ?? [];
    } catch {
      return; // the server is stopping; its restart asks again
    }
    this.changed.fire(undefined);
    this.renderStatus();
  }

  private renderStatus(): void {
    if (this.projects.length === 0) {
      this.status.hide();
      return;
    }
    const sum = (kind: string) => this.projects.reduce((n, p) => n + (p.counts[kind] ?? 0), 0);
    this.status.text = `chant: ${sum('ready')} ready · ${sum('running')} running · ${sum('blocked')} blocked`;
    this.status.tooltip = this.projects
      .map((p) => {
        const next = p.ready.length ? `next: ${p.ready[0]}` : p.queueNote ?? 'nothing ready';
        return `${p.name}: ${p.counts.total} specs; ${next}`;
      })
      .join('\n');
    this.status.show();
  }

  getChildren(node?: Node): Node[] | Promise<Node[]> {
    if (!node) {
      if (this.projects.length === 1) {
        return this.sectionsOf(this.projects[0]);
      }
      return this.projects.map((project) => ({ type: 'project', project }));
    }
    if (node.type === 'project') {
      return this.sectionsOf(node.project);
    }
    if (node.type === 'section') {
      const rows = (section: Section) =>
        (section.items ?? []).map((item): Node => ({ type: 'spec', project: node.project, section, item }));
      if (node.section.items) {
        return rows(node.section);
      }
      return this.expand(node.project, node.section).then(rows);
    }
    return [];
  }

  /** A collapsed section opened: asks for its rows (this project's only) and keeps asking for
   * them on refreshes while it stays open. */
  private async expand(project: Project, section: Section): Promise<Section> {
    this.opened.add(section.kind);
    const c = this.client();
    if (!c || !c.isRunning()) {
      return section;
    }
    try {
      const r = await c.sendRequest<{ projects: Project[] }>('chant-lsp/specs', {
        uri: project.root,
        items: [section.kind],
      });
      const fresh = r.projects?.[0]?.sections.find((s) => s.kind === section.kind);
      section.items = fresh?.items ?? [];
    } catch {
      section.items = []; // the server is stopping; its restart asks again
    }
    return section;
  }

  private sectionsOf(project: Project): Node[] {
    const out: Node[] = [];
    if (project.queueNote) {
      out.push({ type: 'note', project, text: project.queueNote });
    }
    for (const section of project.sections) {
      if (section.count > 0) {
        out.push({ type: 'section', project, section });
      }
    }
    return out;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.type) {
      case 'project': {
        const t = new vscode.TreeItem(node.project.name, vscode.TreeItemCollapsibleState.Expanded);
        t.id = node.project.root;
        t.description = `${node.project.counts.ready ?? 0} ready`;
        t.tooltip = vscode.Uri.parse(node.project.root).fsPath;
        t.iconPath = new vscode.ThemeIcon('root-folder');
        t.contextValue = 'chantProject';
        return t;
      }
      case 'note': {
        const t = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        t.id = `${node.project.root}#note`;
        t.iconPath = new vscode.ThemeIcon('warning');
        return t;
      }
      case 'section': {
        const s = node.section;
        const state =
          s.kind === 'completed' || s.kind === 'cancelled'
            ? vscode.TreeItemCollapsibleState.Collapsed
            : vscode.TreeItemCollapsibleState.Expanded;
        const t = new vscode.TreeItem(s.label, state);
        t.id = `${node.project.root}#${s.kind}`;
        t.description = String(s.count);
        t.iconPath = new vscode.ThemeIcon(SECTION_ICONS[s.kind] ?? 'circle-outline');
        t.contextValue = `chantSection ${s.kind}`;
        return t;
      }
      case 'spec': {
        const i = node.item;
        const t = new vscode.TreeItem(i.title ?? i.id, vscode.TreeItemCollapsibleState.None);
        t.id = `${node.project.root}#${node.section.kind}#${i.id}`;
        t.description = i.reason ? `${i.shortId} · ${i.reason}` : i.shortId;
        const uri = vscode.Uri.parse(i.uri);
        t.command = { command: 'vscode.open', title: 'Open Spec', arguments: [uri] };
        t.iconPath = new vscode.ThemeIcon(SECTION_ICONS[node.section.kind] ?? 'circle-outline');
        // The inline buttons show when the server says the action is enabled (package.json).
        const on = (a: Action) => (a.enabled ? 'on' : 'off');
        t.contextValue = `chantSpec run:${on(i.actions.run)} stop:${on(i.actions.stop)} log:${on(i.actions.showLog)}`;
        const lines = [`${i.id} · ${i.status.replace('_', ' ')}`];
        if (i.reason) {
          lines.push(i.reason);
        }
        for (const [name, a] of [
          ['Run', i.actions.run],
          ['Stop', i.actions.stop],
          ['Show log', i.actions.showLog],
        ] as const) {
          lines.push(a.enabled ? `${name}: ${a.title ?? a.command}` : `${name}: not now, ${a.why ?? 'not offered'}`);
        }
        t.tooltip = lines.join('\n');
        return t;
      }
    }
  }

  dispose(): void {
    this.listener?.dispose();
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}
