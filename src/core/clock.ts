/** Time as a port: the engine and the rules get `now` from here, so tests can move it. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
