/**
 * WebSocket text frames built once per broadcast. A room's fan-out writes the same bytes to every member's
 * socket instead of asking `ws` to turn the string into bytes and frame it again for each of them (socket.io's
 * adapter does the same for engine.io with `wsPreEncodedFrame`).
 */

/** A complete unmasked, unfragmented server→client text frame (RFC 6455 §5.2): header and payload in one buffer. */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text, 'utf8');
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81; // FIN + opcode 1 (text)
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.write(text, headerLength, 'utf8');
  return frame;
}

/**
 * An engine.io message packet (`4` + the socket.io packet) as a ready frame, in the form engine.io's websocket
 * transport takes as the `wsPreEncodedFrame` write option.
 */
export function engineIoFrame(packet: string): Buffer[] {
  return [textFrame('4' + packet)];
}

/**
 * A pushed event's text with its WebSocket frame, built on first use and then written as the same bytes to every
 * recipient of a broadcast (the dialects that encode an event once per fan-out hand this out instead of a string,
 * which `ws` would turn into bytes and frame again for each socket).
 */
export class SharedTextFrame {
  private built: Buffer | null = null;
  constructor(readonly text: string) {}
  get frame(): Buffer {
    return (this.built ??= textFrame(this.text));
  }
}

/** Wraps an encoder of text frames so that its result is shared as a ready frame. */
export function sharedTextFrames<E>(
  encode: (event: E) => string | null,
): (event: E) => SharedTextFrame | null {
  return (event) => {
    const text = encode(event);
    return text === null ? null : new SharedTextFrame(text);
  };
}
