// Frames the fan-out builds once and writes to every socket must be exactly what ws.send would
// write for the same text (ws's own Sender.frame), and decode as one text message (ws's Receiver).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import { type SocketLike, SocketTransport } from '../src/log/stream.ts';
import { payloadOf, textFrame } from '../src/log/web-socket-frame.ts';

/** ws's own framing and parsing (exported at runtime, not in @types/ws). */
const { Sender, Receiver } = wsModule as unknown as {
  Sender: {
    frame(
      data: Buffer,
      options: { fin: boolean; mask: boolean; opcode: number; readOnly: boolean; rsv1: boolean },
    ): Buffer[];
  };
  Receiver: new (options: {
    isServer: boolean;
  }) => {
    on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
    write(chunk: Buffer): void;
  };
};

/** What ws's sender hands the socket for a final, unmasked text message (header, then payload). */
function framedByWs(payload: Buffer): Buffer {
  return Buffer.concat(
    Sender.frame(payload, { fin: true, mask: false, opcode: 1, readOnly: false, rsv1: false }),
  );
}

function decoded(frame: Buffer): { text: string; isBinary: boolean }[] {
  const messages: { text: string; isBinary: boolean }[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer, isBinary: boolean) =>
    messages.push({ text: String(data), isBinary }),
  );
  receiver.write(frame);
  return messages;
}

describe('textFrame', () => {
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 200_000])('frames %i bytes as ws does', (length) => {
    const text = 'x'.repeat(length);
    const payload = Buffer.from(text);
    const frame = textFrame(text);
    expect(frame.equals(framedByWs(payload))).toBe(true);
    expect(decoded(frame)).toEqual([{ text, isBinary: false }]);
    expect(payloadOf(frame).equals(payload)).toBe(true);
  });

  // The length field counts UTF-8 bytes, not characters: 'é' is two bytes, '€' three.
  it.each([
    ['é', 62],
    ['é', 63],
    ['€', 42],
    ['€', 21_845],
    ['€', 21_846],
  ])('frames %s × %i (multi-byte, around a length boundary) as ws does', (char, count) => {
    const text = char.repeat(count);
    const frame = textFrame(text);
    expect(frame.equals(framedByWs(Buffer.from(text)))).toBe(true);
    expect(decoded(frame)).toEqual([{ text, isBinary: false }]);
  });

  it('frames any text as ws does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        const payload = Buffer.from(text);
        const frame = textFrame(text);
        expect(frame.equals(framedByWs(payload))).toBe(true);
        expect(decoded(frame)).toEqual([{ text: payload.toString(), isBinary: false }]);
      }),
    );
  });
});

/** A socket that records what reaches ws's net.Socket and what goes through ws.send. */
function fakeSocket(extensions: string) {
  const written: Buffer[] = [];
  const sent: { data: string | Buffer; binary: boolean | undefined }[] = [];
  const socket: SocketLike = {
    bufferedAmount: 0,
    readyState: 1,
    extensions,
    send: (data, options) => void sent.push({ data, binary: options?.binary }),
    close: () => {},
    terminate: () => {},
    _socket: { cork: () => {}, uncork: () => {}, write: (chunk) => written.push(chunk) > 0 },
  };
  return { socket, written, sent };
}

describe('SocketTransport.writeFrame', () => {
  const frame = textFrame('{"id":1,"result":{"type":"data"}}');

  it('writes the frame itself when no extension was agreed', () => {
    const { socket, written, sent } = fakeSocket('');
    SocketTransport.of(socket).writeFrame(frame);
    expect(written).toEqual([frame]);
    expect(sent).toEqual([]);
  });

  it('sends the payload through ws when an extension was agreed (ws frames it itself)', () => {
    const { socket, written, sent } = fakeSocket('permessage-deflate');
    SocketTransport.of(socket).writeFrame(frame);
    expect(written).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(String(sent[0]?.data)).toBe('{"id":1,"result":{"type":"data"}}');
    expect(sent[0]?.binary).toBe(false);
  });
});
