import { chatroomDialect } from './chatroom/index.js';
import { eventchatDialect } from './eventchat/index.js';
import { moneypotDialect } from './moneypot/index.js';
import { numericDialect } from './numeric/index.js';
import { socketapiDialect } from './socketapi/index.js';
import type { Dialect } from './types.js';

/** The five seed-compatible dialects, each a thin gateway over the engine. */
export const DIALECTS: readonly Dialect[] = [
  eventchatDialect,
  chatroomDialect,
  moneypotDialect,
  numericDialect,
  socketapiDialect,
];
