import { type Encoder, jsonEncoder } from '@trpc/server/adapters/ws';

const serialized = new WeakMap<object, string>();
const HOLE = '\u0000payload';
const HOLE_JSON = JSON.stringify(HOLE);

/**
 * tRPC's JSON wire format, except that a subscription payload object is serialized once however
 * many subscribers receive it (the projection hands every viewer of an event the same object).
 * The bytes on the wire are exactly what the default encoder would send.
 */
export const sharedPayloadEncoder: Encoder = {
  encode(message) {
    const result = (message as { result?: { type?: string; data?: { id?: unknown; data?: unknown } } })
      .result;
    const tracked = result?.type === 'data' ? result.data : undefined;
    const payload = tracked?.data;
    if (!tracked || typeof tracked.id !== 'string' || payload === null || typeof payload !== 'object') {
      return JSON.stringify(message);
    }
    let json = serialized.get(payload);
    if (json === undefined) {
      json = JSON.stringify(payload);
      serialized.set(payload, json);
    }
    const shell = { ...(message as object), result: { ...result, data: { ...tracked, data: HOLE } } };
    // The payload is the last value in the frame, so the last placeholder is ours even when a
    // client-chosen id holds the same text; slicing (not String.replace) leaves `$&` alone.
    const frame = JSON.stringify(shell);
    const at = frame.lastIndexOf(HOLE_JSON);
    return frame.slice(0, at) + json + frame.slice(at + HOLE_JSON.length);
  },
  decode: jsonEncoder.decode,
};
