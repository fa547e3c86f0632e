import type { IncomingMessage } from 'node:http';

/**
 * Cookie-authenticated requests must come from our own pages: a browser sends Origin on
 * cross-site requests, and it must match the Host (or an allowed origin). No Origin (curl,
 * server-to-server) carries no ambient browser cookie risk and is allowed.
 */
export function originAllowed(req: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (allowedOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
