/**
 * patroni.yml in the editor (VS Code glue of model/editor.ts): diagnostics of every workspace patroni.yml
 * (each file's own lint plus the cluster rules across the files), hover, completion and quick fixes.
 */
import { type Finding, lintText, type PatroniVersion } from '@patroni-kit/config';
import * as vscode from 'vscode';
import { Debouncer } from '../model/debounce.js';
import { toDiagnostics } from '../model/diagnostics.js';
import {
  codeActions,
  completionsAt,
  hoverAt,
  lintWorkspace,
  resolvePatroniVersion,
  type WorkspaceFile,
} from '../model/editor.js';

const PATRONI_FILE = /(^|[\\/])patroni(\.ya?ml|[\\/][^\\/]+\.ya?ml)$/i;
const GLOB = '{**/patroni.yml,**/patroni.yaml,**/patroni/*.yml,**/patroni/*.yaml}';
const EXCLUDE = '{**/node_modules/**,**/.git/**}';
const MAX_FILES = 500;

/** What the editor features need from the rest of the extension. */
export interface EditorDeps {
  /**
   * The Patroni version (e.g. `4.0.7`) of the connected cluster, used when `patroni.patroniVersion` is
   * `auto`. TODO(i8-live): pass the live model's active cluster version; until then `auto` lints for 4.1.
   */
  connectedPatroniVersion?: () => string | undefined;
}

/** What {@link registerEditor} gives back: re-lint on demand (e.g. when the connected cluster changes). */
export interface EditorHandle {
  relint(): Promise<void>;
  version(): PatroniVersion;
}

function isPatroniDoc(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'yaml' && PATRONI_FILE.test(doc.fileName);
}

function toVscode(findings: readonly Finding[]): vscode.Diagnostic[] {
  return toDiagnostics(findings).map((d) => {
    const diag = new vscode.Diagnostic(
      new vscode.Range(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character),
      d.message,
      d.severity as vscode.DiagnosticSeverity,
    );
    diag.code = d.code;
    diag.source = d.source;
    return diag;
  });
}

/** Registers diagnostics, hover, completion and code actions for patroni.yml files. */
export function registerEditor(context: vscode.ExtensionContext, deps: EditorDeps = {}): EditorHandle {
  const collection = vscode.languages.createDiagnosticCollection('patroni');
  const version = () =>
    resolvePatroniVersion(
      vscode.workspace.getConfiguration('patroni').get<string>('patroniVersion', '4.1'),
      deps.connectedPatroniVersion?.(),
    );

  // unopened files are read once and again only when the watcher reports them changed
  let known: vscode.Uri[] | undefined;
  const onDisk = new Map<string, string>();
  let shown = new Set<string>();
  let running: Promise<void> = Promise.resolve();
  const lintAll = async (): Promise<void> => {
    // a failed search (no file search provider) still leaves the open documents linted; it is retried next time
    const uris =
      known ??
      (await vscode.workspace.findFiles(GLOB, EXCLUDE, MAX_FILES).then(
        (found) => (known = found),
        () => [] as vscode.Uri[],
      ));
    const open = new Map(
      vscode.workspace.textDocuments.filter(isPatroniDoc).map((d) => [d.uri.toString(), d] as const),
    );
    const files: WorkspaceFile[] = [];
    const byId = new Map<string, vscode.Uri>();
    for (const uri of uris) {
      const id = uri.toString();
      const doc = open.get(id);
      try {
        let text = doc?.getText() ?? onDisk.get(id);
        if (text === undefined) {
          text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
          onDisk.set(id, text);
        }
        files.push({ id, text, name: vscode.workspace.asRelativePath(uri) });
        byId.set(id, uri);
      } catch {
        // deleted between the search and the read: the watcher runs this again
      }
    }
    // open patroni.yml files outside the workspace folders are linted too (alone or with the others)
    for (const [id, doc] of open)
      if (!byId.has(id)) {
        files.push({ id, text: doc.getText(), name: doc.uri.fsPath });
        byId.set(id, doc.uri);
      }
    const found = lintWorkspace(files, version());
    for (const [id, findings] of found) {
      const uri = byId.get(id);
      if (uri) collection.set(uri, toVscode(findings));
    }
    for (const id of shown) if (!found.has(id)) collection.delete(vscode.Uri.parse(id));
    shown = new Set(found.keys());
  };
  const relint = (): Promise<void> => {
    running = running.then(lintAll, lintAll).catch(() => undefined);
    return running;
  };
  const soon = new Debouncer<string>(() => void relint(), { waitMs: 250, maxWaitMs: 1000 });

  const watcher = vscode.workspace.createFileSystemWatcher(GLOB);
  const selector: vscode.DocumentSelector = [
    { language: 'yaml', pattern: '**/patroni.{yml,yaml}' },
    { language: 'yaml', pattern: '**/patroni/*.{yml,yaml}' },
  ];
  context.subscriptions.push(
    collection,
    watcher,
    { dispose: () => soon.dispose() },
    watcher.onDidCreate((uri) => {
      known = undefined;
      onDisk.delete(uri.toString());
      soon.push('fs');
    }),
    watcher.onDidChange((uri) => {
      onDisk.delete(uri.toString());
      soon.push('fs');
    }),
    watcher.onDidDelete((uri) => {
      known = undefined;
      onDisk.delete(uri.toString());
      soon.push('fs');
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      known = undefined;
      soon.push('folders');
    }),
    vscode.workspace.onDidOpenTextDocument((d) => (isPatroniDoc(d) ? soon.push('open') : undefined)),
    vscode.workspace.onDidChangeTextDocument((e) =>
      isPatroniDoc(e.document) && e.contentChanges.length > 0 ? soon.push('edit') : undefined,
    ),
    vscode.workspace.onDidCloseTextDocument((d) => (isPatroniDoc(d) ? soon.push('close') : undefined)),
    vscode.workspace.onDidChangeConfiguration((e) =>
      e.affectsConfiguration('patroni.patroniVersion') ? soon.push('settings') : undefined,
    ),
    vscode.languages.registerHoverProvider(selector, {
      provideHover(doc, position) {
        const h = hoverAt(doc.getText(), doc.offsetAt(position), version());
        if (!h) return undefined;
        const md = new vscode.MarkdownString(h.markdown);
        return new vscode.Hover(
          md,
          new vscode.Range(doc.positionAt(h.range.start), doc.positionAt(h.range.end)),
        );
      },
    }),
    vscode.languages.registerCompletionItemProvider(
      selector,
      {
        provideCompletionItems(doc, position, _token, ctx) {
          // the space trigger is only for values (`key: `), not for indentation
          const prefix = doc.lineAt(position.line).text.slice(0, position.character);
          if (ctx.triggerCharacter === ' ' && !/:\s$/.test(prefix)) return undefined;
          const c = completionsAt(doc.getText(), doc.offsetAt(position), version());
          const range = new vscode.Range(doc.positionAt(c.replace.start), doc.positionAt(c.replace.end));
          return c.items.map((i) => {
            const item = new vscode.CompletionItem(
              i.label,
              i.kind === 'key' ? vscode.CompletionItemKind.Property : vscode.CompletionItemKind.EnumMember,
            );
            item.insertText = i.insertText;
            item.range = range;
            item.sortText = i.sortText;
            if (i.detail) item.detail = i.detail;
            if (i.documentation) item.documentation = new vscode.MarkdownString(i.documentation);
            if (i.deprecated) item.tags = [vscode.CompletionItemTag.Deprecated];
            if (i.retrigger) item.command = { title: 'Suggest', command: 'editor.action.triggerSuggest' };
            return item;
          });
        },
      },
      ' ',
    ),
    vscode.languages.registerCodeActionsProvider(
      selector,
      {
        provideCodeActions(doc, range, ctx) {
          const text = doc.getText();
          const v = version();
          const actions = codeActions(
            text,
            { start: doc.offsetAt(range.start), end: doc.offsetAt(range.end) },
            v,
            lintText(text, { patroniVersion: v }),
          );
          return actions
            .filter((a) => {
              const kind =
                a.kind === 'quickfix' ? vscode.CodeActionKind.QuickFix : vscode.CodeActionKind.SourceFixAll;
              return !ctx.only || ctx.only.contains(kind);
            })
            .map((a) => {
              const action = new vscode.CodeAction(
                a.title,
                a.kind === 'quickfix' ? vscode.CodeActionKind.QuickFix : vscode.CodeActionKind.SourceFixAll,
              );
              const edit = new vscode.WorkspaceEdit();
              for (const e of a.edits)
                edit.replace(
                  doc.uri,
                  new vscode.Range(e.start.line, e.start.character, e.end.line, e.end.character),
                  e.newText,
                );
              action.edit = edit;
              action.isPreferred = a.isPreferred;
              const f = a.finding;
              if (f)
                action.diagnostics = ctx.diagnostics.filter(
                  (d) =>
                    d.code === f.rule &&
                    d.range.start.line === f.line - 1 &&
                    d.range.start.character === f.column - 1,
                );
              return action;
            });
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.SourceFixAll] },
    ),
  );
  void relint();
  return { relint, version };
}
