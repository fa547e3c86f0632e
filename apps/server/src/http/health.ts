import type { ServerResponse } from 'node:http';
import type { EventHub } from '@dispatch/api';
import type { Db } from '@dispatch/db';

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** /healthz: the process answers. */
export function liveness(res: ServerResponse): void {
  json(res, 200, { status: 'ok' });
}

/** /readyz (and /health): the database answers, the listener is connected, delivery keeps up. */
export async function readiness(
  res: ServerResponse,
  db: Db,
  hub: EventHub,
  maxLagSeconds: number,
): Promise<void> {
  const checks: Record<string, string> = {};
  try {
    await db.$queryRaw`SELECT 1`;
    checks.database = 'ok';
  } catch (error) {
    checks.database = error instanceof Error ? error.message : 'unreachable';
  }
  checks.listener = hub.listenerConnected ? 'ok' : 'disconnected';
  const lagSeconds = (Date.now() - hub.lastCaughtUpAt) / 1000;
  checks.delivery =
    lagSeconds <= maxLagSeconds ? 'ok' : `lagging ${lagSeconds.toFixed(1)} s behind the event table`;
  const ok = Object.values(checks).every((value) => value === 'ok');
  json(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', checks });
}
