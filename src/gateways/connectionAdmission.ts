import type { IncomingMessage } from 'node:http';
import type { ServerConfig } from '../config/types.js';
import { ConnectionGate, type GateAnswer } from './kernel/connectionGate.js';
import { peerAddress } from './kernel/peerAddress.js';

/** Bursts are this many seconds' worth of the per-second rates. */
const BURST_SECONDS = 5;

export interface ServerConnectionGate {
  admit(req: IncomingMessage): GateAnswer;
  /** A socket.io long-polling handshake: null when admitted (held to the rates only), else the refusal. */
  refusesPolling(req: IncomingMessage): string | null;
}

/** The server's connection limits over client addresses as the trusted-proxy setting reads them. */
export function connectionGate(config: ServerConfig): ServerConnectionGate {
  const gate = new ConnectionGate({
    perAddress: config.connectionsPerAddress,
    newPerAddressPerSecond: config.newConnectionsPerAddressPerSecond,
    newPerAddressBurst: config.newConnectionsPerAddressPerSecond * BURST_SECONDS,
    newPerSecond: config.newConnectionsPerSecond,
    newBurst: config.newConnectionsPerSecond * BURST_SECONDS,
  });
  return {
    admit: (req) => gate.admit(peerAddress(req, config.trustedProxies)),
    refusesPolling(req) {
      const answer = gate.admit(peerAddress(req, config.trustedProxies));
      if (!answer.ok) return 'connection_limit';
      answer.release();
      return null;
    },
  };
}

/** The first request of an engine.io long-polling session (later ones carry its `sid`). */
export function isPollingHandshake(req: IncomingMessage): boolean {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  return query.get('transport') === 'polling' && !query.has('sid');
}
