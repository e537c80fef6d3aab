/** A TCP proxy the tests can cut: drops every connection (and refuses new ones) until resumed. */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** Forwards `listenHost:listenPort` to `target`. */
export class CuttableProxy {
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  private cut = false;

  readonly listenHost: string;
  readonly listenPort: number;
  readonly target: { host: string; port: number };

  constructor(listenHost: string, listenPort: number, target: { host: string; port: number }) {
    this.listenHost = listenHost;
    this.listenPort = listenPort;
    this.target = target;
  }

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.cut) {
        client.destroy();
        return;
      }
      const upstream = createConnection(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.listenPort, this.listenHost, () => resolve());
    });
  }

  /** Drops all connections and refuses new ones. */
  cutAll(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  resume(): void {
    this.cut = false;
  }

  async stop(): Promise<void> {
    this.cutAll();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
