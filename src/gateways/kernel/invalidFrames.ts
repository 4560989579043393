/**
 * [proto.invalid-frames] The one policy for a client that keeps sending frames the server cannot take:
 * unparseable, failing validation, or naming an operation that does not exist. Each is answered with its error
 * as before, up to a bound: the INVALID_FRAME_LIMIT-th within INVALID_FRAME_WINDOW_MS is not answered, and
 * the connection is closed with `invalid_frames` (1008) instead. Valid frames in between neither count nor
 * reset the count, so a well-behaved client that makes an occasional mistake never comes near it.
 */

/** Invalid frames within the window that close the connection (the first LIMIT - 1 are answered). */
export const INVALID_FRAME_LIMIT = 20;

/** The window over which invalid frames are counted (a sliding window: the last LIMIT frames' times). */
export const INVALID_FRAME_WINDOW_MS = 10_000;

/** The catalogue codes that mean "the frame itself was invalid", in every gateway. */
const INVALID_FRAME_CODES: ReadonlySet<string> = new Set(['bad_request', 'unknown_operation']);

export function isInvalidFrameCode(code: string): boolean {
  return INVALID_FRAME_CODES.has(code);
}

/** The times of the last INVALID_FRAME_LIMIT invalid frames of one connection: a fixed, small ring. */
export class InvalidFrameCount {
  private readonly times: number[] = [];
  private next = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Count one invalid frame; true when it is the LIMIT-th within the window. */
  add(): boolean {
    const at = this.now();
    this.times[this.next] = at;
    this.next = (this.next + 1) % INVALID_FRAME_LIMIT;
    if (this.times.length < INVALID_FRAME_LIMIT) return false;
    // After the write, `next` points at the oldest of the last LIMIT times.
    return at - (this.times[this.next] as number) < INVALID_FRAME_WINDOW_MS;
  }
}
