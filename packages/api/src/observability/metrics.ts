import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** This process's Prometheus metrics; one registry per server so several can share a test process. */
export function createMetrics(processName: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ process: processName });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    subscribers: new Gauge({
      name: 'dispatch_subscribers',
      help: 'Open event subscriptions on this process, by viewer role',
      labelNames: ['role'] as const,
      registers,
    }),
    liveSubscribers: new Gauge({
      name: 'dispatch_live_subscribers',
      help: 'Queue subscriptions at the head of the log, written to by the fan-out (the rest are catching up)',
      registers,
    }),
    eventsCommitted: new Counter({
      name: 'dispatch_events_committed_total',
      help: 'Events read from the event table by this process (every committed event, once), by type',
      labelNames: ['type'] as const,
      registers,
    }),
    eventsDelivered: new Counter({
      name: 'dispatch_events_delivered_total',
      help: 'Events handed to subscribers (after visibility filtering), by viewer role',
      labelNames: ['role'] as const,
      registers,
    }),
    eventsReplayed: new Counter({
      name: 'dispatch_events_replayed_total',
      help: 'Events delivered to a resuming client that it had missed',
      registers,
    }),
    deliveryLatency: new Histogram({
      name: 'dispatch_delivery_latency_seconds',
      help: 'From the event row being written (clock_timestamp in its transaction) to its first live socket write on this process',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    acceptConflicts: new Counter({
      name: 'dispatch_accept_conflicts_total',
      help: 'Accepts that lost the race to another mechanic',
      registers,
    }),
    offersExpired: new Counter({
      name: 'dispatch_offers_expired_total',
      help: 'Targeted offers that ran out of time',
      registers,
    }),
    requestsTimedOut: new Counter({
      name: 'dispatch_requests_cancelled_no_mechanic_total',
      help: 'Requests cancelled because no mechanic took them in time',
      registers,
    }),
    listenReconnects: new Gauge({
      name: 'dispatch_listen_reconnects',
      help: 'Times this process re-established its LISTEN connection',
      registers,
    }),
    acceptedWithin: new Gauge({
      name: 'dispatch_accepted_within_ratio',
      help: 'Share of requests queued in the last hour that were accepted within the threshold (seconds)',
      labelNames: ['threshold'] as const,
      registers,
    }),
    serviceLevelRequests: new Gauge({
      name: 'dispatch_service_level_requests',
      help: 'Requests the accepted-within ratios are computed over (queued in the last hour, decided)',
      registers,
    }),
    longestWait: new Gauge({
      name: 'dispatch_longest_wait_seconds',
      help: 'How long the request waiting longest right now has waited since it entered the queue',
      registers,
    }),
    mechanicAcceptance: new Gauge({
      name: 'dispatch_mechanic_acceptance_ratio',
      help: 'Per mechanic: targeted offers accepted / offers received in the last hour',
      labelNames: ['mechanic'] as const,
      registers,
    }),
    strandedReturns: new Counter({
      name: 'dispatch_stranded_returns_total',
      help: 'Accepted sessions returned to the queue because their mechanic lost connection',
      registers,
    }),
    newRounds: new Counter({
      name: 'dispatch_new_rounds_total',
      help: 'Targeted requests that everyone had passed on, started on a new round',
      registers,
    }),
    deliveryLag: new Gauge({
      name: 'dispatch_delivery_lag_seconds',
      help: 'Age of the oldest committed event this process has not read yet (0 when caught up)',
      registers,
    }),
    writersWaiting: new Gauge({
      name: 'dispatch_event_writers_waiting',
      help: 'Transactions waiting on the event-order lock right now (the append order)',
      registers,
    }),
    resyncs: new Counter({
      name: 'dispatch_resyncs_total',
      help: 'Subscriptions told to reload their snapshot: their position named no event of this log',
      registers,
    }),
    slowConsumersClosed: new Counter({
      name: 'dispatch_slow_consumers_closed_total',
      help: 'Sockets closed because they stopped draining (they reconnect and resume)',
      registers,
    }),
    socketsClosedForAuth: new Counter({
      name: 'dispatch_sockets_closed_auth_total',
      help: 'Sockets closed because their auth session was revoked, expired or replaced',
      registers,
    }),
    admissionRefused: new Counter({
      name: 'dispatch_admission_refused_total',
      help: 'Calls refused with SERVICE_UNAVAILABLE because database work was at its limit',
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

interface Child {
  inc(value?: number): void;
}

const children = new WeakMap<object, Map<string, Child>>();

/**
 * A one-label counter's child for one value, made once per process: prom-client's `labels()` builds
 * a new object and bound function on every call, which every open subscription used to hold.
 */
export function counterFor(counter: { labels(value: string): Child }, value: string): Child {
  let byValue = children.get(counter);
  if (!byValue) {
    byValue = new Map();
    children.set(counter, byValue);
  }
  let child = byValue.get(value);
  if (!child) {
    child = counter.labels(value);
    byValue.set(value, child);
  }
  return child;
}
