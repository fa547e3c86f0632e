import { createServer, type Server, Socket } from 'node:net';

/**
 * A TCP proxy in front of a server that can cut every connection, stall traffic (nothing
 * forwarded, as a hung proxy does) or delay each chunk, to test clients and servers on a bad path.
 */
export class FaultProxy {
  readonly #server: Server;
  readonly #pairs = new Set<[Socket, Socket]>();
  #targetPort: number;
  #stalled = false;
  #delayMs = 0;
  port = 0;

  constructor(targetPort: number) {
    this.#targetPort = targetPort;
    this.#server = createServer((client) => this.#accept(client));
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(port, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this.port;
  }

  set target(port: number) {
    this.#targetPort = port;
  }

  /** Destroys every open connection at once. Returns how many there were. */
  cut(): number {
    const count = this.#pairs.size;
    for (const [a, b] of this.#pairs) {
      a.destroy();
      b.destroy();
    }
    this.#pairs.clear();
    return count;
  }

  /** Forwards nothing for `ms`, then lets the buffered bytes through. */
  async stall(ms: number): Promise<void> {
    this.#stalled = true;
    for (const [a, b] of this.#pairs) {
      a.pause();
      b.pause();
    }
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.#stalled = false;
    for (const [a, b] of this.#pairs) {
      a.resume();
      b.resume();
    }
  }

  /** Adds `ms` to every chunk for `forMs`. */
  async delay(ms: number, forMs: number): Promise<void> {
    this.#delayMs = ms;
    await new Promise((resolve) => setTimeout(resolve, forMs));
    this.#delayMs = 0;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    const server = new Socket();
    server.connect(this.#targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, server];
    this.#pairs.add(pair);
    if (this.#stalled) {
      client.pause();
      server.pause();
    }
    // Each direction stays in order, as TCP does: a delayed chunk holds back the ones after it.
    const forward = (from: Socket, to: Socket) => {
      let queue = Promise.resolve();
      from.on('data', (chunk) => {
        const releaseAt = Date.now() + this.#delayMs;
        queue = queue.then(async () => {
          const wait = releaseAt - Date.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          if (!to.destroyed) to.write(chunk);
        });
      });
    };
    forward(client, server);
    forward(server, client);
    const end = () => {
      client.destroy();
      server.destroy();
      this.#pairs.delete(pair);
    };
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
  }
}
