import type { Dialect } from '../types.js';
import { MONEYPOT_DIALECT } from './protocol.js';
import { attachMoneypotSocketIo } from './socketio.js';

/**
 * The moneypot dialect (seed 002, Moneypot's chat-server): socket.io namespace `/moneypot`, `auth` with a
 * hashed access token, the app's lobby, new_message with /mute and /unmute. See docs/dialects/moneypot.md.
 */
export const moneypotDialect: Dialect = { name: MONEYPOT_DIALECT, socketIo: attachMoneypotSocketIo };
