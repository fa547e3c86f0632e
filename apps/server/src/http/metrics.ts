import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Admission, EventHub, Metrics } from '@dispatch/api';

/**
 * /metrics: Prometheus text. On the main port only with the configured bearer token (a scrape
 * from anyone else answers 404, as if there were nothing); on METRICS_PORT as is, for a private
 * network. Delivery lag and waiting writers are read from the database at scrape time.
 */
export function metricsHandler(options: {
  metrics: Metrics;
  hub: EventHub;
  admission: Admission;
  token: string | null;
}) {
  const { metrics, hub, token } = options;
  const expected = token ? Buffer.from(`Bearer ${token}`) : null;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (expected) {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
        return;
      }
    }
    metrics.listenReconnects.set(hub.listenerReconnects);
    try {
      const health = await hub.deliveryHealth();
      metrics.deliveryLag.set(health.lagSeconds);
      metrics.writersWaiting.set(health.writersWaiting);
    } catch {
      // The database is away: the scrape still answers; the gauges keep their last values.
    }
    const text = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
  };
}
