// A WebSocket frame built once and written as it is to every socket that gets it (RFC 6455 §5.2):
// a server's frames are unmasked, so one message's frame is the same bytes on every connection.
// ws's own send would frame it again for each socket and hand the header and the payload to the
// kernel as two buffers.

/** A final, unmasked text frame holding `text` as UTF-8, encoded straight into the frame. */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81; // FIN, opcode 1 (text)
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, headerLength);
  return frame;
}

/** The payload of a frame `textFrame` built (its bytes, not a copy). */
export function payloadOf(frame: Buffer): Buffer {
  const headerLength = frame[1] === 126 ? 4 : frame[1] === 127 ? 10 : 2;
  return frame.subarray(headerLength);
}
