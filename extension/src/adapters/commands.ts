/**
 * VS Code glue of the operation commands: the `CommandUi` over `vscode.window`, the `patroni-dcs:` file system
 * that holds Edit Dynamic Configuration documents (saving one applies it), the psql terminal, and one
 * `registerCommands` call for `activate`. The logic lives in `model/commands/*.ts`.
 */
import type { PatroniVersion } from '@patroni-kit/config';
import { describeError } from '@patroni-kit/errors';
import * as vscode from 'vscode';
import { applyConfig, ConfigSessions, editConfig, lintConfigDocument } from '../model/commands/config.js';
import { type LabDeps, startLab, stopLab } from '../model/commands/lab.js';
import { failover, switchover } from '../model/commands/leader.js';
import { reinit, reload, restart, setPaused } from '../model/commands/members.js';
import { type ProvisionDeps, provisionCluster } from '../model/commands/provision.js';
import { openPsql, type PgLogin } from '../model/commands/psql.js';
import {
  type CommandContext,
  type CommandOutcome,
  type CommandUi,
  targetOfNodeId,
} from '../model/commands/ui.js';
import { copyDsn, healthReport, history, showMemberJson } from '../model/commands/views.js';
import type { ConnectionStore } from '../model/connections.js';
import { toDiagnostics } from '../model/diagnostics.js';
import { resolvePatroniVersion } from '../model/editor.js';
import { connectOps } from '../model/operations.js';

/** What `activate` gives the commands. */
export interface CommandDeps {
  store: ConnectionStore;
  /** Repaints the Clusters tree (after every write, whatever its outcome). */
  refresh(): Promise<void>;
  /** A cluster's PostgreSQL login from SecretStorage (psql terminal). */
  postgresLogin?(clusterId: string): Promise<PgLogin>;
}

const DCS_SCHEME = 'patroni-dcs';

/** A cluster spec: one of the workspace's `*.cluster.yml`/`*.cluster.yaml`, or any file from an open dialog. */
async function pickSpecFile(ui: CommandUi): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles('**/*.cluster.{yml,yaml}', '**/node_modules/**', 50);
  const browse = 'Browse…';
  if (found.length > 0) {
    const picked = await ui.pick(
      [
        ...found.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })),
        { label: browse, detail: 'pick a spec file anywhere' },
      ],
      { title: 'Patroni: which cluster spec?' },
    );
    if (!picked) return undefined;
    if ('uri' in picked) return picked.uri.fsPath;
  }
  const chosen = await vscode.window.showOpenDialog({
    title: 'Patroni: a cluster spec (cluster, nodes, ssh: see docs/provision-spec.md)',
    canSelectMany: false,
    filters: { 'Cluster spec': ['yml', 'yaml', 'json'] },
    openLabel: 'Plan',
  });
  return chosen?.[0]?.fsPath;
}

/** The editor's side of the commands. */
export function vscodeUi(): CommandUi {
  return {
    async pick(items, opts) {
      return vscode.window.showQuickPick(items, {
        title: opts.title,
        ...(opts.placeHolder ? { placeHolder: opts.placeHolder } : {}),
        ignoreFocusOut: true,
        matchOnDescription: true,
        matchOnDetail: true,
      });
    },
    async confirm(message, detail, button) {
      return (await vscode.window.showWarningMessage(message, { modal: true, detail }, button)) === button;
    },
    async input(opts) {
      return vscode.window.showInputBox({
        title: opts.title,
        prompt: opts.prompt,
        ignoreFocusOut: true,
        ...(opts.validate ? { validateInput: opts.validate } : {}),
      });
    },
    progress(title, work) {
      return Promise.resolve(
        vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title, cancellable: true },
          (p, token) => {
            const ac = new AbortController();
            token.onCancellationRequested(() => ac.abort());
            return work((message) => p.report({ message }), ac.signal);
          },
        ),
      );
    },
    info: (m) => void vscode.window.showInformationMessage(m),
    warn: (m) => void vscode.window.showWarningMessage(m),
    error: (m) => void vscode.window.showErrorMessage(m),
    async showDocument(content, language) {
      const doc = await vscode.workspace.openTextDocument({ content, language });
      await vscode.window.showTextDocument(doc, { preview: false });
    },
    async writeClipboard(text) {
      await vscode.env.clipboard.writeText(text);
    },
  };
}

/**
 * `patroni-dcs:/<cluster>/config.yaml?<n>` documents: reading gives the text the command opened, writing
 * (Save, or the Apply command) runs the lint → diff → confirmation → compare-and-set apply. A refused or
 * cancelled apply fails the save, so the document stays dirty and nothing is lost.
 */
class DcsConfigFs implements vscode.FileSystemProvider {
  readonly #changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.#changed.event;
  readonly #texts = new Map<string, Uint8Array>();
  readonly #mtimes = new Map<string, number>();
  readonly #apply: (uri: vscode.Uri, text: string) => Promise<CommandOutcome>;

  constructor(apply: (uri: vscode.Uri, text: string) => Promise<CommandOutcome>) {
    this.#apply = apply;
  }
  put(uri: vscode.Uri, text: string): void {
    this.#texts.set(uri.toString(), new TextEncoder().encode(text));
    this.#mtimes.set(uri.toString(), Date.now());
  }
  forget(uri: vscode.Uri): void {
    this.#texts.delete(uri.toString());
    this.#mtimes.delete(uri.toString());
  }
  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }
  stat(uri: vscode.Uri): vscode.FileStat {
    const t = this.#texts.get(uri.toString());
    if (!t) throw vscode.FileSystemError.FileNotFound(uri);
    const mtime = this.#mtimes.get(uri.toString()) ?? 0;
    return { type: vscode.FileType.File, ctime: mtime, mtime, size: t.byteLength };
  }
  readDirectory(): [string, vscode.FileType][] {
    return [];
  }
  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  readFile(uri: vscode.Uri): Uint8Array {
    const t = this.#texts.get(uri.toString());
    if (!t) throw vscode.FileSystemError.FileNotFound(uri);
    return t;
  }
  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const text = new TextDecoder().decode(content);
    const res = await this.#apply(uri, text);
    if (res.outcome !== 'succeeded')
      throw vscode.FileSystemError.Unavailable(`not applied (${res.outcome}): ${res.message}`);
    this.put(uri, text);
    this.#changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }
  delete(uri: vscode.Uri): void {
    this.forget(uri);
  }
  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
}

/** Registers every operation command (palette and tree context menus). */
export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const ctx: CommandContext = {
    ui: vscodeUi(),
    clusters: () => deps.store.list(),
    connect: async (id) => connectOps(await deps.store.connectOptions(id)),
    refresh: () => deps.refresh(),
  };
  const settings = () => vscode.workspace.getConfiguration('patroni');
  // The setting may be `auto` (i9-editor): resolved the same way as for patroni.yml diagnostics.
  const version = (): PatroniVersion => resolvePatroniVersion(settings().get<string>('patroniVersion'));
  const sessions = new ConfigSessions();
  const dcsDiagnostics = vscode.languages.createDiagnosticCollection('patroni-dcs');
  const fs = new DcsConfigFs((uri, text) => applyConfig(ctx, sessions, uri.toString(), text, version()));
  let opened = 0;
  const psqlFiles = new Map<vscode.Terminal, () => void>();
  const labDeps: LabDeps = {
    settings: () => {
      const dir =
        settings().get<string>('lab.directory', '') ||
        vscode.Uri.joinPath(context.globalStorageUri, 'lab').fsPath;
      const net = settings().get<string>('lab.network', '');
      return { dir, ...(net ? { net } : {}) };
    },
    addCluster: (input) => deps.store.add(input),
  };
  const provisionDeps: ProvisionDeps = {
    pickSpec: () => pickSpecFile(ctx.ui),
    addCluster: (input) => deps.store.add(input),
  };

  const lint = (doc: vscode.TextDocument) => {
    if (doc.uri.scheme !== DCS_SCHEME) return;
    dcsDiagnostics.set(
      doc.uri,
      toDiagnostics(lintConfigDocument(doc.getText(), version())).map((d) => {
        const diag = new vscode.Diagnostic(
          new vscode.Range(
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
          ),
          d.message,
          d.severity as vscode.DiagnosticSeverity,
        );
        diag.code = d.code;
        diag.source = d.source;
        return diag;
      }),
    );
  };
  const setActiveContext = (e: vscode.TextEditor | undefined) =>
    void vscode.commands.executeCommand(
      'setContext',
      'patroni.dcsConfigActive',
      e?.document.uri.scheme === DCS_SCHEME,
    );

  const guard =
    (title: string, fn: (node?: { id?: string }) => Promise<unknown>) => async (node?: { id?: string }) => {
      try {
        await fn(node);
      } catch (err) {
        void vscode.window.showErrorMessage(`Patroni ${title}: ${describeError(err)}`);
      }
    };
  const reg = (id: string, title: string, fn: (node?: { id?: string }) => Promise<unknown>) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, guard(title, fn)));
  const t = (node?: { id?: string }) => targetOfNodeId(node?.id);

  reg('patroni.switchover', 'Switchover', (n) => switchover(ctx, t(n)));
  reg('patroni.failover', 'Failover', (n) => failover(ctx, t(n)));
  reg('patroni.restart', 'Restart', (n) => restart(ctx, t(n)));
  reg('patroni.reload', 'Reload', (n) => reload(ctx, t(n)));
  reg('patroni.reinit', 'Reinitialize', (n) => reinit(ctx, t(n)));
  reg('patroni.pause', 'Pause', (n) => setPaused(ctx, true, t(n)));
  reg('patroni.resume', 'Resume', (n) => setPaused(ctx, false, t(n)));
  reg('patroni.history', 'History', (n) => history(ctx, t(n)));
  reg('patroni.healthReport', 'Health Report', (n) => healthReport(ctx, t(n)));
  reg('patroni.showMemberJson', 'Show Member JSON', (n) => showMemberJson(ctx, t(n)));
  reg('patroni.copyDsn', 'Copy DSN', (n) => copyDsn(ctx, t(n)));
  reg('patroni.startLab', 'Start Local Lab', () => startLab(ctx, labDeps));
  reg('patroni.stopLab', 'Stop Local Lab', () => stopLab(ctx, labDeps));
  reg('patroni.provisionCluster', 'Provision Cluster from Spec', () => provisionCluster(ctx, provisionDeps));
  reg('patroni.openPsql', 'Open psql Terminal', (n) =>
    openPsql(ctx, t(n), {
      login: async (id) => (deps.postgresLogin ? deps.postgresLogin(id) : {}),
      psqlPath: settings().get<string>('psqlPath', 'psql') || 'psql',
      openTerminal: (launch) => {
        const term = vscode.window.createTerminal({
          name: launch.name,
          shellPath: launch.shellPath,
          shellArgs: launch.shellArgs,
          env: launch.env,
        });
        psqlFiles.set(term, launch.cleanup);
        term.show();
      },
    }),
  );
  reg('patroni.editConfig', 'Edit Dynamic Configuration', (n) =>
    editConfig(
      ctx,
      sessions,
      async (content, session) => {
        const uri = vscode.Uri.from({
          scheme: DCS_SCHEME,
          path: `/${encodeURIComponent(session.clusterName)}/config.yaml`,
          query: String(++opened),
        });
        fs.put(uri, content);
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.window.showTextDocument(doc, { preview: false });
        lint(doc);
        return uri.toString();
      },
      t(n),
    ),
  );
  reg('patroni.applyConfig', 'Apply Dynamic Configuration', async () => {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.uri.scheme !== DCS_SCHEME) {
      void vscode.window.showErrorMessage(
        'Patroni: open the configuration with "Edit Dynamic Configuration" first, then apply it from its editor.',
      );
      return;
    }
    // Saving runs the apply (DcsConfigFs.writeFile); an unchanged document is applied directly.
    if (doc.isDirty) await doc.save();
    else await applyConfig(ctx, sessions, doc.uri.toString(), doc.getText(), version());
  });

  context.subscriptions.push(
    dcsDiagnostics,
    vscode.workspace.registerFileSystemProvider(DCS_SCHEME, fs, { isCaseSensitive: true }),
    vscode.workspace.onDidOpenTextDocument(lint),
    vscode.workspace.onDidChangeTextDocument((e) => lint(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme !== DCS_SCHEME) return;
      dcsDiagnostics.delete(doc.uri);
      sessions.delete(doc.uri.toString());
      fs.forget(doc.uri);
    }),
    vscode.window.onDidChangeActiveTextEditor(setActiveContext),
    vscode.window.onDidCloseTerminal((term) => {
      psqlFiles.get(term)?.();
      psqlFiles.delete(term);
    }),
    new vscode.Disposable(() => {
      for (const cleanup of psqlFiles.values()) cleanup();
      psqlFiles.clear();
    }),
  );
}
