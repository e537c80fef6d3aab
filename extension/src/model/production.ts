/**
 * Production-marked clusters: dangerous commands ask the user to type the cluster's name (what users of
 * database extensions ask for, so a switchover is never one stray click away on the wrong cluster).
 */

/** Commands that change who leads, restart or rewrite a cluster. */
export const DANGEROUS_COMMANDS = new Set([
  'patroni.switchover',
  'patroni.failover',
  'patroni.restart',
  'patroni.reinit',
  'patroni.pause',
  'patroni.resume',
  'patroni.editConfig',
  'patroni.removeCluster',
]);

/** What the adapter shows before a command runs. */
export type Confirmation =
  | { kind: 'none' }
  | { kind: 'modal'; message: string }
  | { kind: 'typed-name'; prompt: string; expected: string };

/** How `command` on `cluster` must be confirmed: typed name on production, a modal for other dangerous ones. */
export function confirmationFor(
  command: string,
  cluster: { name: string; production?: boolean },
  what: string,
): Confirmation {
  if (!DANGEROUS_COMMANDS.has(command)) return { kind: 'none' };
  if (cluster.production)
    return {
      kind: 'typed-name',
      expected: cluster.name,
      prompt: `${cluster.name} is marked production. Type its name to ${what}.`,
    };
  return { kind: 'modal', message: `${what} on ${cluster.name}?` };
}

/** The input box's validation: undefined when the typed text is exactly the name, else why not. */
export function checkTypedName(expected: string, typed: string | undefined): string | undefined {
  if (typed === undefined || typed === '') return `type ${expected} to continue`;
  if (typed !== expected) return `"${typed}" is not ${expected} (names are compared exactly)`;
  return undefined;
}
