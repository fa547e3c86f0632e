import pg from 'pg';
import type { Logger } from 'pino';
import { brief } from './brief.ts';

export type NotificationHandler = (channel: string, payload: string) => void;

/**
 * The process's one LISTEN connection. Notifications are hints (a reader re-reads the table), so a
 * lost connection only costs latency: it reconnects with back-off and reports each reconnect, after
 * which callers re-read whatever they follow.
 */
export class Listener {
  readonly #connectionString: string;
  readonly #channels: readonly string[];
  readonly #log: Logger;
  readonly #onNotification: NotificationHandler;
  readonly #onReconnect: () => void;
  #client: pg.Client | null = null;
  #connected = false;
  #reconnects = 0;
  #stopped = false;

  constructor(options: {
    connectionString: string;
    channels: readonly string[];
    log: Logger;
    onNotification: NotificationHandler;
    onReconnect: () => void;
  }) {
    this.#connectionString = options.connectionString;
    this.#channels = options.channels;
    this.#log = options.log;
    this.#onNotification = options.onNotification;
    this.#onReconnect = options.onReconnect;
  }

  get connected(): boolean {
    return this.#connected;
  }

  get reconnects(): number {
    return this.#reconnects;
  }

  async start(): Promise<void> {
    await this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#client?.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#connectionString });
    client.on('notification', (message) => this.#onNotification(message.channel, message.payload ?? ''));
    client.on('error', (error) => {
      this.#log.warn({ err: brief(error) }, 'LISTEN connection lost; reconnecting');
      this.#lost(client);
    });
    client.on('end', () => this.#lost(client));
    await client.connect();
    for (const channel of this.#channels) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    this.#client = client;
    this.#connected = true;
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client || this.#stopped) return;
    this.#client = null;
    this.#connected = false;
    this.#reconnects += 1;
    const retry = async (delay: number): Promise<void> => {
      if (this.#stopped) return;
      try {
        await this.#connect();
        this.#onReconnect();
      } catch (error) {
        this.#log.warn({ err: brief(error) }, 'LISTEN reconnect failed');
        setTimeout(() => void retry(Math.min(delay * 2, 5000)), delay).unref();
      }
    };
    setTimeout(() => void retry(100), 100).unref();
  }
}
