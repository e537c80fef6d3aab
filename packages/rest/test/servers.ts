/** Small real servers for the client's corner cases (the proof against Patroni is contract.test.ts). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A request as the server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A listening server plus what it saw. */
export interface TestServer {
  url: string;
  port: number;
  seen: SeenRequest[];
  connections: number;
  close(): Promise<void>;
}

type Handler = (req: SeenRequest, res: http.ServerResponse) => void;

/** An HTTP/1.1 server on 127.0.0.1 answering with `handler` (every connection closed after one answer). */
export async function httpServer(handler: Handler): Promise<TestServer> {
  const state = { seen: [] as SeenRequest[], connections: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      state.seen.push(seen);
      res.setHeader('connection', 'close');
      handler(seen, res);
    });
  });
  server.on('connection', () => state.connections++);
  return listen(server, state, 'http');
}

/** A raw TCP server: `onData` gets each request's first chunk and writes whatever it wants. */
export async function rawServer(
  onConnection: (socket: net.Socket, index: number) => void,
): Promise<TestServer> {
  const state = { seen: [] as SeenRequest[], connections: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const index = state.connections++;
    socket.once('data', (chunk: Buffer) => {
      const [head = '', body = ''] = chunk.toString('utf8').split('\r\n\r\n');
      const [line = ''] = head.split('\r\n');
      const [method = '', url = ''] = line.split(' ');
      state.seen.push({ method, url, headers: {}, body });
    });
    onConnection(socket, index);
  });
  const result = await listen(server, state, 'http');
  const close = result.close;
  result.close = async () => {
    for (const s of sockets) s.destroy();
    await close();
  };
  return result;
}

/** Serve over a server created by the caller (e.g. https) and collect what it saw. */
export async function listen(
  server: net.Server,
  state: { seen: SeenRequest[]; connections: number },
  scheme: 'http' | 'https',
  host = '127.0.0.1',
): Promise<TestServer> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address() as net.AddressInfo;
  const result: TestServer = {
    url: `${scheme}://${host}:${address.port}`,
    port: address.port,
    get seen() {
      return state.seen;
    },
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        (server as http.Server).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
  return result;
}

/** A port on 127.0.0.1 where nothing listens (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A throw-away PKI made with openssl: a CA, a server cert for 127.0.0.1 and a client cert. */
export interface Pki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second, unrelated CA (for "wrong CA" tests). */
  otherCa: string;
  remove(): void;
}

/** Create {@link Pki} in a temporary folder (needs the `openssl` binary); the server cert names `serverIps`. */
export function makePki(serverIps: readonly string[] = ['127.0.0.1']): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'patroni-kit-rest-pki-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ca = (name: string) =>
    run(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
    );
  ca('test-ca');
  ca('other-ca');
  const leaf = (name: string, ext: string) => {
    run(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    writeFileSync(join(dir, `${name}.ext`), ext);
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'test-ca.crt',
      '-CAkey',
      'test-ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    );
  };
  leaf(
    'server',
    `subjectAltName=${serverIps.map((ip) => `IP:${ip}`).join(',')}\nextendedKeyUsage=serverAuth\n`,
  );
  leaf('client', 'extendedKeyUsage=clientAuth\n');
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return {
    dir,
    ca: read('test-ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    otherCa: read('other-ca.crt'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A JSON answer shaped like Patroni's `GET /patroni`. */
export function nodeStatus(role = 'primary'): Record<string, unknown> {
  return {
    state: 'running',
    role,
    server_version: 150018,
    xlog: { location: 67109000 },
    timeline: 1,
    dcs_last_seen: 1795624443,
    database_system_identifier: '7712148061171106301',
    patroni: { version: '4.0.7', scope: 'lab', name: 'n1' },
  };
}
