/**
 * SSH sessions over npm `ssh2`: host keys verified (known_hosts or a pinned fingerprint, never trust on
 * first use), key or agent authentication (passwords only when the spec asks), commands through `sudo -n`
 * unless the login user is root, stdin for file contents and secrets (never argv), every exec bounded by
 * a timeout and an AbortSignal.
 */
import { readFile } from 'node:fs/promises';
import { PatroniKitError } from '@patroni-kit/errors';
import { type AuthenticationType, type AuthMethod, Client, type ConnectConfig } from 'ssh2';
import { checkKnownHosts, fingerprint, type HostKeyVerdict, keyType, knownHostsLine } from './known-hosts.js';
import type { SshTarget } from './spec.js';

/** What a remote command returned. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link SshHost.exec}. */
export interface ExecOptions {
  /** Written to the command's stdin, then closed. */
  stdin?: string;
  /** Default 120 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Quotes `s` for a POSIX shell. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const MAX_OUTPUT = 4 * 1024 * 1024;

function verifierFor(
  host: string,
  port: number,
  pin: string | undefined,
  knownHostsFile: string,
  knownHostsText: string | undefined,
  outcome: { verdict?: HostKeyVerdict; key?: Buffer },
) {
  return (key: Buffer): boolean => {
    outcome.key = key;
    if (pin !== undefined) outcome.verdict = fingerprint(key) === pin ? 'known' : 'changed';
    else
      outcome.verdict =
        knownHostsText === undefined ? 'unknown' : checkKnownHosts(knownHostsText, host, port, key);
    void knownHostsFile;
    return outcome.verdict === 'known';
  };
}

function hostKeyError(
  target: { host: string; port: number },
  pin: string | undefined,
  file: string,
  outcome: { verdict?: HostKeyVerdict; key?: Buffer },
): PatroniKitError {
  const key = outcome.key!;
  const fp = fingerprint(key);
  const where = `${target.host}:${target.port}`;
  if (outcome.verdict === 'unknown') {
    return new PatroniKitError(
      'HOST_KEY',
      `host key of ${where} is unknown (${keyType(key)} ${fp}); refusing to connect`,
      {
        hint: `check the fingerprint on the host (ssh-keygen -lf /etc/ssh/ssh_host_${keyType(key).replace(/^ssh-/, '').replace(/-.*/, '')}_key.pub), then add this line to ${file}: ${knownHostsLine(target.host, target.port, key)} (or pin ssh.hostKey: ${fp})`,
        details: { host: target.host, port: target.port, fingerprint: fp, verdict: 'unknown' },
      },
    );
  }
  const expected = pin ? `the pinned ${pin}` : `the key in ${file}`;
  return new PatroniKitError(
    'HOST_KEY',
    `host key of ${where} has CHANGED: it offers ${keyType(key)} ${fp}, not ${expected}; refusing to connect (someone may be intercepting, or the host was reinstalled)`,
    {
      hint: `if the host was reinstalled, confirm ${fp} on its console, then replace its entry${pin ? ' (ssh.hostKey)' : ` in ${file} (ssh-keygen -R ${target.host})`}`,
      details: { host: target.host, port: target.port, fingerprint: fp, verdict: outcome.verdict },
    },
  );
}

async function authMethods(target: SshTarget): Promise<AuthMethod[]> {
  const methods: AuthMethod[] = [];
  if (target.privateKey) {
    let key: Buffer;
    try {
      key = await readFile(target.privateKey);
    } catch (err) {
      throw new PatroniKitError(
        'CONFIG',
        `cannot read the SSH key ${target.privateKey}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const m: AuthMethod & { key: Buffer; passphrase?: string } = {
      type: 'publickey',
      username: target.user,
      key,
    };
    if (target.passphraseEnv) {
      const p = process.env[target.passphraseEnv];
      if (p === undefined)
        throw new PatroniKitError('CONFIG', `$${target.passphraseEnv} (ssh.passphraseEnv) is not set`);
      m.passphrase = p;
    }
    methods.push(m);
  }
  if (target.agent) {
    const sock = process.env.SSH_AUTH_SOCK;
    if (sock) methods.push({ type: 'agent', username: target.user, agent: sock } as AuthMethod);
    else if (!target.privateKey && !target.passwordEnv) {
      throw new PatroniKitError(
        'CONFIG',
        `no way to log in to ${target.host}: no ssh.privateKey and no SSH agent ($SSH_AUTH_SOCK unset)`,
        {
          hint: 'set ssh.privateKey in the spec, or start ssh-agent and add your key',
        },
      );
    }
  }
  if (target.passwordEnv) {
    const p = process.env[target.passwordEnv];
    if (p === undefined)
      throw new PatroniKitError('CONFIG', `$${target.passwordEnv} (ssh.passwordEnv) is not set`);
    methods.push({ type: 'password', username: target.user, password: p } as AuthMethod);
  }
  return methods;
}

function connectClient(
  config: ConnectConfig,
  signal: AbortSignal | undefined,
  label: string,
  timeoutMs: number,
): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        c.end();
        reject(err);
      } else resolve(c);
    };
    const onAbort = () => finish(new PatroniKitError('ABORTED', `connecting to ${label} was cancelled`));
    const timer = setTimeout(
      () =>
        finish(
          new PatroniKitError('TIMEOUT', `no SSH session with ${label} within ${timeoutMs} ms`, {
            hint: 'is the host up and reachable, and sshd running?',
          }),
        ),
      timeoutMs + 1000,
    );
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    c.once('ready', () => finish());
    c.once('error', (err: Error & { level?: string }) => finish(err));
    c.connect({ ...config, readyTimeout: timeoutMs });
  });
}

/** One SSH session to one host. */
export class SshHost {
  readonly label: string;
  readonly root: boolean;
  #client: Client;
  #jump: Client | undefined;
  #lost: Error | undefined;
  readonly #pending = new Set<(err: Error) => void>();

  private constructor(label: string, root: boolean, client: Client, jump: Client | undefined) {
    this.label = label;
    this.root = root;
    this.#client = client;
    this.#jump = jump;
    // A dead connection (keepalive timeout, reset) fails the commands in flight at once, not at their timeout.
    const lose = (why: string) => {
      if (this.#lost) return;
      this.#lost = new PatroniKitError('CONNECT', `the SSH connection to ${label} was lost (${why})`, {
        hint: 'is the host still up and reachable?',
      });
      for (const reject of this.#pending) reject(this.#lost);
      this.#pending.clear();
    };
    client.on('error', (err: Error) => lose(err.message));
    client.on('close', () => lose('closed'));
  }

  /** Connects and authenticates; the host key is checked before any credential is sent. */
  static async connect(target: SshTarget, signal?: AbortSignal): Promise<SshHost> {
    let knownText: string | undefined;
    try {
      knownText = await readFile(target.knownHosts, 'utf8');
    } catch {
      knownText = undefined;
    }
    const label = `${target.user}@${target.host}${target.port === 22 ? '' : `:${target.port}`}`;
    const methods = await authMethods(target);
    const allowed = new Set<AuthenticationType>(methods.map((m) => m.type));
    let jump: Client | undefined;
    let sock: NodeJS.ReadableStream | undefined;
    if (target.jump) {
      const j = target.jump;
      const jOutcome: { verdict?: HostKeyVerdict; key?: Buffer } = {};
      try {
        jump = await connectClient(
          {
            host: j.host,
            port: j.port,
            username: j.user,
            hostVerifier: verifierFor(j.host, j.port, j.hostKey, target.knownHosts, knownText, jOutcome),
            authHandler: methods.map((m) => ({ ...m, username: j.user })),
          },
          signal,
          `jump host ${j.user}@${j.host}`,
          target.connectTimeoutMs,
        );
      } catch (err) {
        if (jOutcome.verdict && jOutcome.verdict !== 'known')
          throw hostKeyError(j, j.hostKey, target.knownHosts, jOutcome);
        throw connectError(`jump host ${j.host}:${j.port}`, err);
      }
      sock = await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
        jump!.forwardOut('127.0.0.1', 0, target.host, target.port, (err, stream) =>
          err ? reject(connectError(`${target.host}:${target.port} via ${j.host}`, err)) : resolve(stream),
        );
      });
    }
    const outcome: { verdict?: HostKeyVerdict; key?: Buffer } = {};
    let client: Client;
    try {
      client = await connectClient(
        {
          host: target.host,
          port: target.port,
          username: target.user,
          hostVerifier: verifierFor(
            target.host,
            target.port,
            target.hostKey,
            target.knownHosts,
            knownText,
            outcome,
          ),
          authHandler: methods,
          keepaliveInterval: 5000,
          keepaliveCountMax: 3,
          ...(sock ? { sock: sock as unknown as NonNullable<ConnectConfig['sock']> } : {}),
        },
        signal,
        label,
        target.connectTimeoutMs,
      );
    } catch (err) {
      jump?.end();
      if (outcome.verdict && outcome.verdict !== 'known')
        throw hostKeyError(target, target.hostKey, target.knownHosts, outcome);
      const e = err as Error & { level?: string };
      if (e.level === 'client-authentication') {
        throw new PatroniKitError(
          'AUTH',
          `${label} refused every offered login (${[...allowed].join(', ')})`,
          {
            hint: "check ssh.user and that the key is in the user's authorized_keys; password logins need ssh.passwordEnv",
            cause: err,
          },
        );
      }
      throw connectError(label, err);
    }
    return new SshHost(label, target.user === 'root', client, jump);
  }

  /**
   * Runs `command` with `sh -c` (through `sudo -n` when not root). Resolves with the exit code, also a
   * non-zero one; rejects only when the command could not run or did not finish in time.
   */
  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const wrapped = this.root ? `sh -c ${shq(command)}` : `sudo -n -- sh -c ${shq(command)}`;
    return new Promise((resolve, reject) => {
      const signal = opts.signal;
      if (signal?.aborted)
        return reject(new PatroniKitError('ABORTED', `cancelled before running on ${this.label}`));
      if (this.#lost) return reject(this.#lost);
      let settled = false;
      let stream: import('ssh2').ClientChannel | undefined;
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#pending.delete(onLost);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const kill = () => {
        try {
          stream?.signal('KILL');
        } catch {}
        stream?.close();
      };
      const onAbort = () =>
        settle(() => {
          kill();
          reject(new PatroniKitError('ABORTED', `cancelled while running on ${this.label}: ${command}`));
        });
      const timer = setTimeout(
        () =>
          settle(() => {
            kill();
            reject(
              new PatroniKitError(
                'TIMEOUT',
                `no answer from ${this.label} within ${timeoutMs} ms for: ${command}`,
              ),
            );
          }),
        timeoutMs,
      );
      const onLost = (e: Error) =>
        settle(() => {
          kill();
          reject(e);
        });
      this.#pending.add(onLost);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#client.exec(wrapped, (e, ch) => {
        if (e) return settle(() => reject(connectError(this.label, e)));
        stream = ch;
        const take = (into: Buffer[]) => (b: Buffer) => {
          size += b.length;
          if (size <= MAX_OUTPUT) into.push(b);
        };
        ch.on('data', take(out));
        ch.stderr.on('data', take(err));
        ch.on('close', (code: number | null, sig?: string) =>
          settle(() =>
            resolve({
              code: code ?? (sig ? 128 : 255),
              stdout: Buffer.concat(out).toString('utf8'),
              stderr: Buffer.concat(err).toString('utf8'),
            }),
          ),
        );
        if (opts.stdin !== undefined) ch.end(opts.stdin);
        else ch.end();
      });
    });
  }

  /** Ends the session (and the jump host's). */
  close(): void {
    this.#lost ??= new PatroniKitError('CONNECT', `the SSH connection to ${this.label} was closed`);
    this.#client.end();
    this.#jump?.end();
  }
}

function connectError(label: string, err: unknown): PatroniKitError {
  const e = err as NodeJS.ErrnoException;
  if (e instanceof PatroniKitError) return e;
  return new PatroniKitError('CONNECT', `cannot reach ${label}: ${e.code ? `${e.code} ` : ''}${e.message}`, {
    hint: 'is the host up, the address right and port 22 open?',
    cause: err,
  });
}
