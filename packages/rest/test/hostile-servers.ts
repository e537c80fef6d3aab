/** Real servers on issue 13's address block (127.0.50.0-127.0.59.255) for the hostile-answer suites. */
import http from 'node:http';
import net from 'node:net';

/** What a hostile server saw. */
export interface Seen {
  method: string;
  path: string;
  body: string;
}

/** A listening server. */
export interface HostileServer {
  url: string;
  host: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

/** A raw TCP server: `onRequest` gets the socket and the request head and writes whatever it wants. */
export async function rawHostile(
  host: string,
  onRequest: (socket: net.Socket, seen: Seen) => void,
): Promise<HostileServer> {
  const seen: Seen[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = '';
    let handled = false;
    socket.on('data', (chunk: Buffer) => {
      if (handled) return;
      buffer += chunk.toString('latin1');
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.slice(0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffer.length < end + 4 + length) return;
      handled = true;
      const [method = '', path = ''] = (head.split('\r\n')[0] ?? '').split(' ');
      const s = { method, path, body: buffer.slice(end + 4, end + 4 + length) };
      seen.push(s);
      onRequest(socket, s);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://${host}:${port}`,
    host,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A node:http server on `host` answering with `handler`. */
export async function httpHostile(
  host: string,
  handler: (seen: Seen, res: http.ServerResponse) => void,
): Promise<HostileServer> {
  const seen: Seen[] = [];
  const server = http.createServer({ maxHeaderSize: 256 * 1024 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = {
        method: req.method ?? '',
        path: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(s);
      res.setHeader('connection', 'close');
      handler(s, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://${host}:${port}`,
    host,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
