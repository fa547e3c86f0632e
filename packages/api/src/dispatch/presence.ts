// The presence rule is pure and lives in the domain (queries and routers read it from there);
// re-exported here for the server's heartbeat and this package's index.
export { effectivePresence, HEARTBEAT_INTERVAL_MS, PRESENCE_TIMEOUT_MS } from '@dispatch/domain';
