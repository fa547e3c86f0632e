import { sharedJson } from '@dispatch/api';
import { type Encoder, jsonEncoder } from '@trpc/server/adapters/ws';

const HOLE = '\u0000payload';
const HOLE_JSON = JSON.stringify(HOLE);

/**
 * tRPC's JSON wire format, except that a shared subscription payload (one the event log built
 * once for every subscriber, `shared()` in packages/api/src/log) is written from its precomputed
 * JSON instead of being serialized again per subscriber. The bytes on the wire are exactly what
 * the default encoder would send.
 */
export const sharedPayloadEncoder: Encoder = {
  encode(message) {
    const result = (message as { result?: { type?: string; data?: { id?: unknown; data?: unknown } } })
      .result;
    const tracked = result?.type === 'data' ? result.data : undefined;
    const json = tracked && typeof tracked.id === 'string' ? sharedJson(tracked.data) : undefined;
    if (!tracked || json === undefined) return JSON.stringify(message);
    const shell = { ...(message as object), result: { ...result, data: { ...tracked, data: HOLE } } };
    // The payload is the last value in the frame, so the last placeholder is ours even when a
    // client-chosen id holds the same text; slicing (not String.replace) leaves `$&` alone.
    const frame = JSON.stringify(shell);
    const at = frame.lastIndexOf(HOLE_JSON);
    return frame.slice(0, at) + json + frame.slice(at + HOLE_JSON.length);
  },
  decode: jsonEncoder.decode,
};
