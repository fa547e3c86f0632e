import { shared } from '@dispatch/api';
import { jsonEncoder } from '@trpc/server/adapters/ws';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { sharedPayloadEncoder } from '../src/ws/shared-payload-encoder.ts';

it('sends exactly the bytes the default encoder sends, for any payload', () => {
  fc.assert(
    fc.property(
      fc.jsonValue(),
      fc.string(),
      fc.oneof(fc.integer(), fc.string()),
      (payload, id, requestId) => {
        const message = {
          id: requestId,
          jsonrpc: '2.0',
          result: { type: 'data', data: { id, data: payload } },
        };
        expect(sharedPayloadEncoder.encode(message)).toBe(jsonEncoder.encode(message));
        if (typeof payload === 'object' && payload !== null) {
          const sharedMessage = {
            ...message,
            result: { type: 'data', data: { id, data: shared(JSON.parse(JSON.stringify(payload))) } },
          };
          expect(sharedPayloadEncoder.encode(sharedMessage)).toBe(jsonEncoder.encode(message));
        }
      },
    ),
    { numRuns: 500 },
  );
});

it('is not fooled by replacement patterns or the placeholder itself inside a payload', () => {
  const payload = shared({
    concern: "costs $& and $' and $` and \u0000payload",
    nested: ['"\\u0000payload"'],
  });
  const message = {
    id: '\u0000payload',
    result: { type: 'data', data: { id: '\u0000payload', data: payload } },
  };
  expect(sharedPayloadEncoder.encode(message)).toBe(jsonEncoder.encode(message));
  expect(sharedPayloadEncoder.encode(message)).toBe(jsonEncoder.encode(message));
});
