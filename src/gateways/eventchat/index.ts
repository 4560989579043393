import type { Dialect } from '../types.js';
import { attachEventchat } from './socketio.js';
import { EVENTCHAT_DIALECT } from './protocol.js';

/** The eventchat dialect (see docs/dialects/eventchat.md): socket.io namespace `/eventchat`. */
export const eventchatDialect: Dialect = { name: EVENTCHAT_DIALECT, socketIo: attachEventchat };
