// Counting SQL round trips: a node-postgres Client class whose every `query` call (one round trip:
// node-postgres sends a parameterised query's parse, bind and execute in one flush) is counted,
// for `createDb(url, { Client })` and `new pg.Pool({ Client })`.
import pg from 'pg';

export interface RoundTripCounter {
  /** Pass as `Client` to createDb or pg.Pool; every connection it makes counts here. */
  Client: typeof pg.Client;
  /** Round trips since the last reset. */
  count(): number;
  /** Their SQL, whitespace collapsed (to match on, and for a failing assertion's message). */
  statements(): string[];
  reset(): void;
}

export function roundTripCounter(): RoundTripCounter {
  let statements: string[] = [];
  class CountingClient extends pg.Client {
    // biome-ignore lint/suspicious/noExplicitAny: node-postgres's query has a dozen overloads; this passes them all on.
    override query(...args: any[]): any {
      const first = args[0] as string | { text?: string } | undefined;
      const text = typeof first === 'string' ? first : (first?.text ?? '');
      statements.push(text.replace(/\s+/g, ' ').trim());
      // biome-ignore lint/suspicious/noExplicitAny: see above.
      return (super.query as (...a: any[]) => any)(...args);
    }
  }
  return {
    Client: CountingClient as typeof pg.Client,
    count: () => statements.length,
    statements: () => [...statements],
    reset: () => {
      statements = [];
    },
  };
}
