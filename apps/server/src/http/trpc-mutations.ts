// tRPC's HTTP protocol for one plain mutation, answered from node:http directly.
//
// tRPC's node adapter turns every request into a WHATWG Request and its answer into a Response
// (undici's classes, web streams, an AbortSignal per call). At the write path's rates that costs
// more than the mutation's own work: in `pnpm bench` (the floors under (d)) the adapter alone
// spends ~0.55 ms of CPU per call at 1,500 calls/s against ~0.13 ms for node:http. So the common
// case (a POST of one mutation with a JSON body of known length, which is what httpLink sends)
// is answered here, with tRPC's own procedure call, error shape, status code and response body;
// everything else (queries, batches, unknown paths, other content types, no or too large a
// Content-Length) is left to tRPC's adapter, untouched. `trpc-mutations.test.ts` sends the same
// requests to both and compares status, headers and body.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyTRPCRouter } from '@trpc/server';
import {
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
  TRPCError,
  transformTRPCResponse,
} from '@trpc/server/unstable-core-do-not-import';

export interface MutationPathOptions<TContext> {
  router: AnyTRPCRouter;
  basePath: string;
  maxBodySize: number;
  createContext: (opts: { req: IncomingMessage; res: ServerResponse }) => Promise<TContext>;
  onError?: (opts: {
    error: TRPCError;
    path: string;
    input: unknown;
    ctx: TContext | undefined;
    type: 'mutation';
    req: IncomingMessage;
  }) => void;
  /** Extra headers for an answer, from the errors it carries (tRPC's responseMeta, headers only). */
  headersFor?: (errors: TRPCError[]) => Record<string, string>;
}

interface Procedure {
  (opts: {
    path: string;
    getRawInput: () => Promise<unknown>;
    ctx: unknown;
    type: 'mutation';
    signal: AbortSignal | undefined;
    batchIndex: number;
  }): Promise<unknown>;
  _def?: { type: string };
}

/** Returns a handler that answers the request and returns true, or returns false and reads nothing. */
export function mutationPath<TContext>(
  options: MutationPathOptions<TContext>,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const procedures = options.router._def.procedures as Record<string, Procedure | undefined>;
  const config = options.router._def._config;
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    if (!url.startsWith(options.basePath) || url.includes('?')) return false;
    let path: string;
    try {
      path = decodeURIComponent(url.slice(options.basePath.length));
    } catch {
      return false; // a malformed escape: the adapter answers it
    }
    // Own keys only: `constructor` or `__proto__` must not reach Object.prototype.
    const procedure = Object.hasOwn(procedures, path) ? procedures[path] : undefined;
    if (procedure?._def?.type !== 'mutation') return false;
    if (req.headers['content-type'] !== 'application/json' || req.headers['trpc-accept']) return false;
    const length = Number(req.headers['content-length']);
    if (!Number.isSafeInteger(length) || length <= 0 || length > options.maxBodySize) return false;

    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      answer(path, procedure, received === length ? Buffer.concat(chunks) : null, req, res).catch(() => {
        // The procedure's own errors are answered above; what is left (onError, the error
        // formatter, serialising the answer) gets a bare 500, not an unhandled rejection.
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end();
      });
    });
    return true;
  };

  async function answer(
    path: string,
    procedure: Procedure,
    body: Buffer | null,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    let ctx: TContext | undefined;
    let input: unknown;
    let json: unknown;
    let error: TRPCError | null = null;
    try {
      try {
        ctx = await options.createContext({ req, res });
      } catch (cause) {
        throw getTRPCErrorFromUnknown(cause);
      }
      // As in tRPC's adapter, the body is parsed when the procedure asks for its input (after its
      // middlewares), and a body that is not JSON is a BAD_REQUEST with the parser's message.
      const data = await procedure({
        path,
        getRawInput: async () => {
          if (!body) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Incomplete request body' });
          try {
            input = JSON.parse(body.toString('utf8'));
          } catch (cause) {
            throw new TRPCError({ code: 'BAD_REQUEST', cause });
          }
          return input;
        },
        ctx,
        type: 'mutation',
        signal: undefined,
        batchIndex: 0,
      });
      json = { result: { data } };
    } catch (cause) {
      error = getTRPCErrorFromUnknown(cause);
      options.onError?.({ error, path, input, ctx, type: 'mutation', req });
      json = { error: getErrorShape({ config, ctx, error, input, path, type: 'mutation' }) };
    }
    if (res.destroyed) return;
    const status = getHTTPStatusCode(json as Parameters<typeof getHTTPStatusCode>[0]);
    const text = JSON.stringify(transformTRPCResponse(config, json as never));
    res.statusCode = status;
    res.setHeader('vary', 'trpc-accept, accept');
    res.setHeader('content-type', 'application/json');
    for (const [name, value] of Object.entries(options.headersFor?.(error ? [error] : []) ?? {})) {
      res.setHeader(name, value);
    }
    res.end(text);
  }
}
