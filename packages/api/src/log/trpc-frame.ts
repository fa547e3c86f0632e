import { sharedJson } from './shared-payload.ts';

// What tRPC's ws adapter sends for a subscription, in the one place that knows its layout. Every
// frame starts with the subscription's `{"id":…,` head, as the client numbered it.

/** The rest of the `started` frame after its head. */
export const STARTED_TAIL = '"result":{"type":"started"}}';

/** Frames are sent as text frames even though they are written as bytes. */
export const TEXT_FRAME = { binary: false } as const;

/**
 * The rest of a tRPC data frame after the subscription's `{"id":…,` head, byte for byte what tRPC's
 * ws adapter sends for `tracked(cursor, payload)`:
 * `"result":{"type":"data","data":{"id":…,"data":…},"id":…}}` (apps/server/test/live-fanout.test.ts
 * compares it with the adapter's own bytes). The router has no transformer, so the payload's JSON
 * is sent as it is.
 */
export function dataFrameTail(cursor: string, payload: unknown): string {
  const id = JSON.stringify(cursor);
  const json = sharedJson(payload) ?? JSON.stringify(payload);
  return `"result":{"type":"data","data":{"id":${id},"data":${json}},"id":${id}}}`;
}
