/**
 * Connections in VS Code: the Add Cluster flow (model/add-cluster.ts) on quick picks, input boxes and the
 * open dialog; Remove Cluster (its secrets too) and Mark as Production; the connection store on
 * `globalState` + `SecretStorage`; request and operation lines for the "Patroni" output channel.
 */
import { homedir } from 'node:os';
import { describeError } from '@patroni-kit/errors';
import * as vscode from 'vscode';
import {
  type AddClusterResult,
  type AddClusterUi,
  addCluster,
  type PickItem,
  sdkBackend,
} from '../model/add-cluster.js';
import { ConnectionStore } from '../model/connections.js';
import { checkTypedName, confirmationFor } from '../model/production.js';
import {
  formatOperation,
  formatRequest,
  type OperationEvent,
  type RequestEvent,
} from '../model/request-log.js';
import type { TreeNode } from '../model/tree.js';

/** Workspace files Add Cluster offers (node configs and patronictl configs). */
const CONFIG_GLOB =
  '{**/patroni.yml,**/patroni.yaml,**/patroni/*.yml,**/patroni/*.yaml,**/patronictl.yaml,**/patronictl.yml}';

/** Writes one request line (method, redacted URL, outcome) to the channel. */
export function requestLogger(log: vscode.LogOutputChannel): (e: RequestEvent) => void {
  return (e) => {
    const line = formatRequest(e);
    log[line.level](line.message);
  };
}

/** Writes one operation line (command, cluster, outcome) to the channel. */
export function operationLogger(log: vscode.LogOutputChannel): (e: OperationEvent) => void {
  return (e) => {
    const line = formatOperation(e);
    log[line.level](line.message);
  };
}

/**
 * The store of saved clusters: definitions in `globalState`, secrets in `context.secrets`. The resolver gets
 * no environment of the editor's process (a saved cluster means the same in every window) and the user's home.
 */
export function connectionStore(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
): ConnectionStore {
  return new ConnectionStore(context.globalState, context.secrets, {
    env: {},
    homeDir: homedir(),
    onRequest: requestLogger(log),
  });
}

/** The Add Cluster steps on VS Code's quick input. */
export function vscodeUi(): AddClusterUi {
  const toItems = <T>(items: PickItem<T>[]) =>
    items.map((i) => ({
      label: i.label,
      ...(i.description !== undefined ? { description: i.description } : {}),
      ...(i.detail !== undefined ? { detail: i.detail } : {}),
      ...(i.picked !== undefined ? { picked: i.picked } : {}),
      value: i.value,
    }));
  return {
    async pickOne(title, items, placeholder) {
      const picked = await vscode.window.showQuickPick(toItems(items), {
        title,
        ignoreFocusOut: true,
        matchOnDescription: true,
        matchOnDetail: true,
        ...(placeholder ? { placeHolder: placeholder } : {}),
      });
      return picked?.value;
    },
    async pickMany(title, items, placeholder) {
      const picked = await vscode.window.showQuickPick(toItems(items), {
        title,
        canPickMany: true,
        ignoreFocusOut: true,
        matchOnDetail: true,
        ...(placeholder ? { placeHolder: placeholder } : {}),
      });
      return picked?.map((p) => p.value);
    },
    input(r) {
      return Promise.resolve(
        vscode.window.showInputBox({
          title: r.title,
          ignoreFocusOut: true,
          ...(r.prompt !== undefined ? { prompt: r.prompt } : {}),
          ...(r.value !== undefined ? { value: r.value } : {}),
          ...(r.placeholder !== undefined ? { placeHolder: r.placeholder } : {}),
          ...(r.password ? { password: true } : {}),
          ...(r.validate ? { validateInput: r.validate } : {}),
        }),
      );
    },
    async openFile(title) {
      const picked = await vscode.window.showOpenDialog({ title, canSelectMany: false, openLabel: 'Choose' });
      return picked?.[0]?.fsPath;
    },
    async warn(message, detail, action) {
      return (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;
    },
    busy(title, work) {
      return Promise.resolve(
        vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title, cancellable: true },
          (_progress, token) => {
            const ac = new AbortController();
            token.onCancellationRequested(() => ac.abort());
            return work(ac.signal);
          },
        ),
      );
    },
  };
}

/** What the other adapters and the extension-host tests use. */
export interface ConnectionsApi {
  /** Runs Add Cluster with `ui` (default: VS Code's quick input), then repaints the tree. */
  addCluster(ui?: AddClusterUi): Promise<AddClusterResult>;
  /** Writes an operation line to the "Patroni" channel. */
  logOperation(e: OperationEvent): void;
}

/** What {@link registerConnections} needs from the extension. */
export interface ConnectionsDeps {
  store: ConnectionStore;
  log: vscode.LogOutputChannel;
  refresh(): Promise<void>;
  /** The saved cluster a tree node (or, with one cluster, no node) stands for. */
  clusterIdOf(node: TreeNode | undefined): string | undefined;
}

/** Registers Add Cluster, Remove Cluster and Mark as Production. */
export function registerConnections(context: vscode.ExtensionContext, deps: ConnectionsDeps): ConnectionsApi {
  const { store, log } = deps;
  const logOperation = operationLogger(log);
  const backend = sdkBackend(async () =>
    (await vscode.workspace.findFiles(CONFIG_GLOB, '**/node_modules/**', 200)).map((u) => u.fsPath).sort(),
  );

  const run = async (ui: AddClusterUi = vscodeUi()): Promise<AddClusterResult> => {
    const started = Date.now();
    const result = await addCluster({ ui, backend, store });
    const names = result.outcome === 'added' ? result.clusters.map((c) => c.name).join(', ') : undefined;
    logOperation({
      command: 'patroni.addCluster',
      ...(names ? { cluster: names } : {}),
      outcome: result.outcome === 'added' ? 'succeeded' : result.outcome,
      durationMs: Date.now() - started,
      ...(result.outcome === 'failed'
        ? {
            detail: `${result.error.code}: ${result.error.message}${result.error.hint ? ` (${result.error.hint})` : ''}`,
          }
        : {}),
    });
    if (result.outcome === 'added') await deps.refresh();
    return result;
  };

  const pickCluster = async (node: TreeNode | undefined) => {
    const id = deps.clusterIdOf(node);
    if (id) return store.get(id);
    const all = store.list();
    if (all.length === 0) return undefined;
    const picked = await vscode.window.showQuickPick(
      all.map((d) => ({ label: d.name, description: d.production ? 'production' : '', id: d.id })),
      { title: 'Which cluster?' },
    );
    return picked ? store.get(picked.id) : undefined;
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('patroni.addCluster', async () => {
      const result = await run();
      if (result.outcome === 'failed')
        void vscode.window.showErrorMessage(
          `Add Cluster: ${result.error.message}${result.error.hint ? `. ${result.error.hint}` : ''}`,
        );
      else if (result.outcome === 'added')
        void vscode.window.showInformationMessage(
          `Added ${result.clusters.map((c) => c.name).join(', ')} to the Patroni view.`,
        );
    }),
    vscode.commands.registerCommand('patroni.removeCluster', async (node?: TreeNode) => {
      const def = await pickCluster(node);
      if (!def) return;
      const c = confirmationFor('patroni.removeCluster', def, `forget ${def.name} and its stored secrets`);
      if (c.kind === 'typed-name') {
        const typed = await vscode.window.showInputBox({
          prompt: c.prompt,
          ignoreFocusOut: true,
          validateInput: (t) => checkTypedName(c.expected, t),
        });
        if (checkTypedName(c.expected, typed) !== undefined) {
          logOperation({ command: 'patroni.removeCluster', cluster: def.name, outcome: 'cancelled' });
          return;
        }
      } else if (c.kind === 'modal') {
        if ((await vscode.window.showWarningMessage(c.message, { modal: true }, 'Remove')) !== 'Remove') {
          logOperation({ command: 'patroni.removeCluster', cluster: def.name, outcome: 'cancelled' });
          return;
        }
      }
      try {
        await store.remove(def.id);
        logOperation({ command: 'patroni.removeCluster', cluster: def.name, outcome: 'succeeded' });
      } catch (err) {
        logOperation({
          command: 'patroni.removeCluster',
          cluster: def.name,
          outcome: 'failed',
          detail: describeError(err),
        });
        void vscode.window.showErrorMessage(`Remove Cluster: ${describeError(err)}`);
      }
      await deps.refresh();
    }),
    vscode.commands.registerCommand('patroni.markProduction', async (node?: TreeNode) => {
      const def = await pickCluster(node);
      if (!def) return;
      // Taking the mark off removes the typed-name guard: that needs the name typed too.
      if (def.production) {
        const typed = await vscode.window.showInputBox({
          prompt: `${def.name} is marked production. Type its name to remove the mark.`,
          ignoreFocusOut: true,
          validateInput: (t) => checkTypedName(def.name, t),
        });
        if (checkTypedName(def.name, typed) !== undefined) return;
      }
      await store.update(def.id, { production: !def.production });
      logOperation({
        command: 'patroni.markProduction',
        cluster: def.name,
        outcome: 'succeeded',
        detail: def.production ? 'production mark removed' : 'marked production',
      });
      await deps.refresh();
    }),
    vscode.commands.registerCommand('patroni.toggleNotifications', async (node?: TreeNode) => {
      const def = await pickCluster(node);
      if (!def) return;
      // Absent means "follow patroni.notifications.enabled": the toggle flips what the user sees now.
      const global = vscode.workspace.getConfiguration('patroni').get<boolean>('notifications.enabled', true);
      const on = !(def.notifications ?? global);
      await store.update(def.id, { notifications: on });
      logOperation({
        command: 'patroni.toggleNotifications',
        cluster: def.name,
        outcome: 'succeeded',
        detail: on ? 'role-change notifications on' : 'role-change notifications off',
      });
      void vscode.window.showInformationMessage(
        `Patroni: role-change notifications for ${def.name} are ${on ? 'on' : 'off'}.`,
      );
      await deps.refresh();
    }),
  );
  return { addCluster: run, logOperation };
}
