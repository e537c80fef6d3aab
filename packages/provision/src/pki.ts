/**
 * The cluster's certificates, kept next to the spec: one CA and a certificate per node (SANs: the node's
 * address and name, plus 127.0.0.1 and localhost for the node's own local clients) and one for the
 * operator. Made with the `openssl` binary (OpenSSL 3 on Debian 12): no extra npm dependency with its own
 * crypto code, and commands a DBA can read and rerun. Keys are ECDSA P-256, written 0600 into a 0700
 * folder and never logged. What exists is reused (a re-apply changes nothing); a node certificate whose
 * SANs no longer match the spec, or that expires within 30 days, is issued again.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PatroniKitError } from '@patroni-kit/errors';
import type { ClusterSpec } from './spec.js';

const run = promisify(execFile);

/** One certificate and its key (PEM). */
export interface CertPair {
  cert: string;
  key: string;
}

/** The cluster's TLS material. */
export interface ClusterPki {
  /** The CA certificate (PEM). */
  ca: string;
  /** Per node name. */
  nodes: Map<string, CertPair>;
  /** The operator's client certificate (etcd asks every client for one). */
  client: { certFile: string; keyFile: string };
  caFile: string;
  /** Files this call created (certificates, never key contents). */
  created: string[];
}

/** Whether the spec turns on TLS anywhere. */
export function tlsEnabled(spec: ClusterSpec): boolean {
  return spec.tls.restApi || spec.tls.etcd;
}

async function openssl(args: string[], signal?: AbortSignal): Promise<string> {
  try {
    const r = await run('openssl', args, {
      timeout: 30_000,
      maxBuffer: 1 << 20,
      ...(signal ? { signal } : {}),
    });
    return r.stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      throw new PatroniKitError(
        'CONFIG',
        'TLS needs the openssl command on this machine, and it is missing',
        {
          hint: 'install it (apt-get install openssl), or turn tls off in the spec',
        },
      );
    throw new PatroniKitError(
      'INTERNAL',
      `openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim().split('\n').slice(-3).join('; ')}`,
      { cause: err },
    );
  }
}

const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Whether `certFile` (signed by `caFile`) is valid for 30 more days and names every SAN in `sans`. */
async function stillGood(
  certFile: string,
  caFile: string,
  sans: string[],
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    await openssl(['verify', '-CAfile', caFile, certFile], signal);
    await openssl(['x509', '-noout', '-checkend', String(30 * 86400), '-in', certFile], signal);
    const ext = await openssl(['x509', '-noout', '-ext', 'subjectAltName', '-in', certFile], signal);
    const have = new Set(
      ext
        .split('\n')
        .slice(1)
        .join(',')
        .split(',')
        .map((s) => s.trim().replace(/^IP Address:/, 'IP:')),
    );
    return sans.every((s) => have.has(s));
  } catch {
    return false;
  }
}

async function issue(
  dir: string,
  name: string,
  cn: string,
  sans: string[],
  usage: string,
  signal?: AbortSignal,
): Promise<void> {
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  await rm(keyFile, { force: true });
  await openssl(['req', '-new', ...KEY_ARGS, '-keyout', keyFile, '-out', csr, '-subj', `/CN=${cn}`], signal);
  await chmod(keyFile, 0o600);
  await writeFile(
    ext,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${usage}`,
      ...(sans.length > 0 ? [`subjectAltName=${sans.join(',')}`] : []),
      '',
    ].join('\n'),
  );
  try {
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        join(dir, 'ca.crt'),
        '-CAkey',
        join(dir, 'ca.key'),
        '-set_serial',
        `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`,
        '-days',
        '825',
        '-sha256',
        '-extfile',
        ext,
        '-out',
        join(dir, `${name}.crt`),
      ],
      signal,
    );
  } finally {
    await rm(csr, { force: true });
    await rm(ext, { force: true });
  }
}

/** The SANs of a node's certificate. */
export function nodeSans(node: { name: string; address: string }): string[] {
  return [`IP:${node.address}`, `DNS:${node.name}`, 'IP:127.0.0.1', 'DNS:localhost'];
}

/**
 * Loads the cluster's CA and certificates from `spec.tls.certDir`, generating what is missing (unless
 * `create` is false: a plan then says what apply would make and reads nothing it cannot find).
 */
export async function ensurePki(
  spec: ClusterSpec,
  opts: { create: boolean; signal?: AbortSignal },
): Promise<ClusterPki | undefined> {
  if (!tlsEnabled(spec)) return undefined;
  const dir = spec.tls.certDir;
  const { signal } = opts;
  const created: string[] = [];
  const caFile = spec.tls.caFile;
  const caKey = join(dir, 'ca.key');
  const ownCa = caFile === join(dir, 'ca.crt');
  if (!existsSync(dir)) {
    if (!opts.create) return undefined;
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }
  await chmod(dir, 0o700);
  if (!existsSync(caFile)) {
    if (!ownCa)
      throw new PatroniKitError('CONFIG', `tls.caFile ${caFile} does not exist`, {
        hint: 'give the CA certificate that signed the node certificates, or leave caFile out to have one generated',
      });
    if (!opts.create) return undefined;
    await rm(caKey, { force: true });
    await openssl(
      [
        'req',
        '-x509',
        '-new',
        ...KEY_ARGS,
        '-keyout',
        caKey,
        '-out',
        caFile,
        '-days',
        '3650',
        '-sha256',
        '-subj',
        `/CN=patroni-kit CA ${spec.cluster}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE,pathlen:0',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      signal,
    );
    await chmod(caKey, 0o600);
    created.push(caFile);
  }
  const canIssue = existsSync(caKey);
  const want = [
    ...spec.nodes.map((n) => ({
      file: n.name,
      cn: n.name,
      sans: nodeSans(n),
      usage: 'serverAuth,clientAuth',
    })),
    { file: 'operator', cn: `patroni-kit operator ${spec.cluster}`, sans: [], usage: 'clientAuth' },
  ];
  for (const w of want) {
    const certFile = join(dir, `${w.file}.crt`);
    const keyFile = join(dir, `${w.file}.key`);
    if (existsSync(certFile) && existsSync(keyFile) && (await stillGood(certFile, caFile, w.sans, signal)))
      continue;
    if (!opts.create) continue;
    if (!canIssue)
      throw new PatroniKitError(
        'CONFIG',
        `${certFile} is missing, expires within 30 days or lacks the SANs ${w.sans.join(', ')}, and there is no ${caKey} to issue one`,
        { hint: `put a certificate and key for ${w.cn} there, signed by ${caFile}` },
      );
    await issue(dir, w.file, w.cn, w.sans, w.usage, signal);
    created.push(certFile);
  }
  const nodes = new Map<string, CertPair>();
  for (const n of spec.nodes) {
    const certFile = join(dir, `${n.name}.crt`);
    const keyFile = join(dir, `${n.name}.key`);
    if (!existsSync(certFile) || !existsSync(keyFile)) continue;
    nodes.set(n.name, { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') });
  }
  return {
    ca: await readFile(caFile, 'utf8'),
    nodes,
    client: { certFile: join(dir, 'operator.crt'), keyFile: join(dir, 'operator.key') },
    caFile,
    created,
  };
}
