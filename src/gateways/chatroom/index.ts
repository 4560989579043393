import type { Dialect } from '../types.js';
import { registerChatroomHttp } from './http.js';
import { createChatroomWsGateway } from './ws.js';

/**
 * The chatroom dialect (see docs/dialects/chatroom.md): the seed's `{token, action, args}` protocol over plain
 * WebSocket at `/chatroom`, and its account routes `POST /chatroom/register-user` and `/chatroom/login-user`.
 */
export const chatroomDialect: Dialect = {
  name: 'chatroom',
  ws: createChatroomWsGateway,
  http: registerChatroomHttp,
};
