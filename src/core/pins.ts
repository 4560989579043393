import { ParleyError } from './errors.js';
import type { UserRef } from './types.js';

/** The most messages a room keeps pinned; pinning one more is refused (`conflict`) until one is unpinned. */
export const PINS_MAX = 50;

export const pinLimitReached = (max: number) =>
  new ParleyError('conflict', `This room has ${max} pinned messages, the most it may have: unpin one first`, {
    max,
  });

/** Who pinned a message and when; `by` is null for the operator (admin key) or a user since removed. */
export interface PinMark {
  by: UserRef | null;
  at: number;
}
