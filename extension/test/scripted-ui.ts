/**
 * A scripted `CommandUi` for node --test: each pick, confirmation and input is answered by the test's script
 * and recorded, with every message and document, so a test can assert what the user was shown.
 */
import type { CommandContext, CommandUi, PickItem } from '../src/model/commands/ui.js';
import { ConnectionStore, type SecretsLike, type StateLike } from '../src/model/connections.js';
import { connectOps } from '../src/model/operations.js';

export interface Shown {
  picks: Array<{ title: string; items: PickItem[] }>;
  confirms: Array<{ message: string; detail: string; button: string }>;
  inputs: Array<{ title: string; prompt: string; answer: string | undefined; validation?: string }>;
  progress: Array<{ title: string; lines: string[] }>;
  messages: Array<{ level: 'info' | 'warn' | 'error'; text: string }>;
  documents: Array<{ content: string; language: string }>;
  clipboard: string[];
}

export interface Script {
  /** Chooses a row (by label) or dismisses (undefined). Default: the first row. */
  pick?: (items: PickItem[], title: string) => string | undefined;
  /** Presses the button (true) or dismisses. Default: true. */
  confirm?: (message: string, detail: string, button: string) => boolean;
  /** Types text (or dismisses with undefined). Default: dismiss. */
  input?: (prompt: string) => string | undefined;
  /** Presses the progress notification's Cancel when a progress line matches (an event, not a timer). */
  cancelOn?: RegExp;
}

export function scriptedUi(script: Script = {}): { ui: CommandUi; shown: Shown; script: Script } {
  const shown: Shown = {
    picks: [],
    confirms: [],
    inputs: [],
    progress: [],
    messages: [],
    documents: [],
    clipboard: [],
  };
  const ui: CommandUi = {
    async pick(items, opts) {
      shown.picks.push({ title: opts.title, items });
      const label = script.pick ? script.pick(items, opts.title) : items[0]?.label;
      return items.find((i) => i.label === label);
    },
    async confirm(message, detail, button) {
      shown.confirms.push({ message, detail, button });
      return script.confirm ? script.confirm(message, detail, button) : true;
    },
    async input(opts) {
      const answer = script.input ? script.input(opts.prompt) : undefined;
      const validation = answer === undefined ? undefined : opts.validate?.(answer);
      shown.inputs.push({
        title: opts.title,
        prompt: opts.prompt,
        answer,
        ...(validation ? { validation } : {}),
      });
      // Like VS Code's input box: Enter is refused while the validation complains, so the user dismisses.
      return validation ? undefined : answer;
    },
    async progress(title, work) {
      const entry = { title, lines: [] as string[] };
      shown.progress.push(entry);
      const ac = new AbortController();
      return work((m) => {
        entry.lines.push(m);
        if (script.cancelOn?.test(m)) ac.abort();
      }, ac.signal);
    },
    info: (text) => void shown.messages.push({ level: 'info', text }),
    warn: (text) => void shown.messages.push({ level: 'warn', text }),
    error: (text) => void shown.messages.push({ level: 'error', text }),
    async showDocument(content, language) {
      shown.documents.push({ content, language });
    },
    async writeClipboard(text) {
      shown.clipboard.push(text);
    },
  };
  return { ui, shown, script };
}

/** globalState and SecretStorage stand-ins with the same contract (the real ones are VS Code's). */
export function memoryStore(): {
  store: ConnectionStore;
  secrets: Map<string, string>;
  state: Map<string, unknown>;
} {
  const state = new Map<string, unknown>();
  const secrets = new Map<string, string>();
  const s: StateLike = {
    get: <T>(k: string) => (state.has(k) ? (structuredClone(state.get(k)) as T) : undefined),
    update: async (k, v) => void state.set(k, structuredClone(v)),
  };
  const sec: SecretsLike = {
    get: async (k) => secrets.get(k),
    store: async (k, v) => void secrets.set(k, v),
    delete: async (k) => void secrets.delete(k),
  };
  let n = 0;
  return { store: new ConnectionStore(s, sec, () => `c${++n}`), secrets, state };
}

/** A command context over a real store and the real SDK wrapper; counts tree refreshes. */
export function commandContext(
  store: ConnectionStore,
  ui: CommandUi,
): CommandContext & { refreshes: () => number } {
  let refreshes = 0;
  return {
    ui,
    clusters: () => store.list(),
    connect: async (id) => connectOps(await store.connectOptions(id)),
    refresh: () => {
      refreshes++;
    },
    refreshes: () => refreshes,
  };
}
