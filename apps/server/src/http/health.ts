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

/**
 * /readyz (and /health): the database answers, the listener is connected, and delivery keeps up:
 * the oldest committed event this process has not read yet is younger than `maxLagSeconds`.
 */
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
  } catch {
    checks.database = 'unreachable';
  }
  checks.listener = hub.listenerConnected ? 'ok' : 'disconnected';
  try {
    const { lagSeconds } = await hub.deliveryHealth();
    checks.delivery =
      lagSeconds <= maxLagSeconds
        ? 'ok'
        : `lagging: an event committed ${lagSeconds.toFixed(1)} s ago is unread`;
  } catch {
    checks.delivery = 'unknown: the event table cannot be read';
  }
  const ok = Object.values(checks).every((value) => value === 'ok');
  json(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', checks });
}
