import type { Dialect } from '../types.js';
import { createNumericWsGateway } from './ws.js';

/** The numeric dialect (see docs/dialects/numeric.md): plain WebSocket at /numeric/chat/login/NICK. */
export const numericDialect: Dialect = { name: 'numeric', ws: createNumericWsGateway };
