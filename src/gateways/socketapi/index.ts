import type { Dialect } from '../types.js';
import { attachSocketApi } from './socketio.js';

/** The socketapi dialect (see docs/dialects/socketapi.md): socket.io namespace `/socketapi`. */
export const socketapiDialect: Dialect = { name: 'socketapi', socketIo: attachSocketApi };
