import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Server as SocketIoServer } from 'socket.io';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/types.js';
import type { EngineConnections } from '../engine/api.js';

export interface GatewayDeps {
  engine: EngineConnections;
  config: ServerConfig;
  logger: Logger;
}

/** A plain-WebSocket gateway that shares the HTTP server: the upgrade router hands it the requests for its path. */
export interface WsGateway {
  /** True when this gateway serves the request's path. */
  matches(pathname: string): boolean;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Close every connection with 1001 and stop accepting. */
  close(): Promise<void>;
}

/** A plain-WebSocket gateway on the shared HTTP server. */
export type WsGatewayFactory = (deps: GatewayDeps) => WsGateway;

/** A protocol served over the shared socket.io server (on its own namespace). */
export type SocketIoAttachment = (io: SocketIoServer, deps: GatewayDeps) => { close(): Promise<void> };

/**
 * A seed-compatible dialect: a thin gateway over the engine with whichever of the three edges it needs.
 * src/gateways/dialects.ts lists them; the server wires each one the same way as the native protocol.
 */
export interface Dialect {
  name: string;
  ws?: WsGatewayFactory;
  socketIo?: SocketIoAttachment;
  /** HTTP routes of the dialect (registered on the shared fastify app before it listens). */
  http?: (app: FastifyInstance, deps: GatewayDeps) => void;
}
