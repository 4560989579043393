/**
 * The plumbing every gateway's connection has, whatever its dialect: an id, failure logging, the session slot
 * closed exactly once, the auth deadline, the bounded inbox and the outbound bound. A dialect's connection
 * owns one of these and keeps only its frames and its state machine.
 */
import { randomBytes } from 'node:crypto';
import { disconnect, type Disconnect } from '../../core/disconnect.js';
import type { SessionSink } from '../../engine/api.js';
import type { EngineEvent } from '../../engine/events.js';
import type { GatewayDeps } from '../types.js';
import { AuthDeadline } from './authDeadline.js';
import { ConnectionSlot } from './connectionSlot.js';
import { failureLog, type FailureLog } from './failures.js';
import { Inbox } from './inbox.js';
import { InvalidFrameCount, isInvalidFrameCode } from './invalidFrames.js';
import { OutboundBound } from './outbound.js';
import type { BacklogLimits } from '../../core/backlog.js';

export interface KernelOptions {
  dialect: string;
  transport?: string;
  /** Requests run at once; 1 (the default) keeps replies in the order of the requests. */
  concurrency?: number;
  /** Unsent bytes of the connection's socket (and of any queue the gateway keeps in front of it). */
  bufferedBytes(): number;
  /** Tell the client why in the dialect's terms, then close the socket. */
  end(reason: Disconnect): void;
  /** An event the engine pushes; what it throws is logged, never thrown into the engine's fan-out. */
  deliver(event: EngineEvent): void;
  /** Whether the connection counts as signed in for the auth deadline; by default, once a session is open. */
  authenticated?(): boolean;
}

/**
 * A connection's id in logs: 128 random bits as one flat hex string (randomUUID builds a rope of small strings
 * that would live as long as the connection). Gateways make their own, since they reach the engine only
 * through its public interfaces.
 */
function newConnectionId(): string {
  return randomBytes(16).toString('hex');
}

/** The outbound limits as the configuration has them now: one function for every connection of a server. */
const limitsByConfig = new WeakMap<GatewayDeps['config'], () => BacklogLimits>();

function outboundLimits(config: GatewayDeps['config']): () => BacklogLimits {
  let limits = limitsByConfig.get(config);
  if (!limits) {
    limits = () => ({
      softBytes: config.engine.outboundBufferBytes,
      hardBytes: config.engine.outboundHardCapBytes,
      graceMs: config.engine.slowConsumerGraceMs,
    });
    limitsByConfig.set(config, limits);
  }
  return limits;
}

/**
 * Also the outbound side the engine pushes to (`sink`) and the connection the outbound bound ends: as methods,
 * not closures made for each connection, since an idle connection's every byte counts.
 */
export class ConnectionKernel implements SessionSink {
  readonly id = newConnectionId();
  readonly fail: FailureLog;
  readonly slot: ConnectionSlot;
  readonly inbox: Inbox;
  readonly outbound: OutboundBound;
  private readonly deadline: AuthDeadline;
  private readonly invalidFrames = new InvalidFrameCount();
  private tooManyInvalid = false;

  constructor(
    readonly deps: GatewayDeps,
    private readonly options: KernelOptions,
  ) {
    const scope = { dialect: options.dialect, connection: this.id };
    this.fail = failureLog(
      deps.logger,
      options.transport === undefined ? scope : { ...scope, transport: options.transport },
      `${options.dialect} operation failed`,
    );
    this.slot = new ConnectionSlot(this.fail);
    this.inbox = new Inbox(this.fail, options.concurrency ?? 1);
    this.outbound = new OutboundBound(outboundLimits(deps.config), this);
    this.deadline = new AuthDeadline(deps.config.authTimeoutMs, () => {
      if (!this.slot.closed && !this.authenticated()) options.end(disconnect('auth_timeout'));
    });
  }

  /** The outbound side the engine pushes to. */
  get sink(): SessionSink {
    return this;
  }

  /** An event the engine pushes: what the gateway throws is logged, never thrown into the engine's fan-out. */
  deliver(event: EngineEvent): void {
    try {
      this.options.deliver(event);
    } catch (err) {
      this.fail(err, 'deliver');
    }
  }

  bufferedBytes(): number {
    return this.options.bufferedBytes();
  }

  terminate(reason: Disconnect): void {
    this.options.end(reason);
  }

  /** Ends the connection (for the outbound bound: as a slow consumer). */
  end(reason: Disconnect): void {
    this.options.end(reason);
  }

  private authenticated(): boolean {
    const authenticated = this.options.authenticated;
    return authenticated ? authenticated() : this.slot.session !== null;
  }

  get closed(): boolean {
    return this.slot.closed;
  }

  /** The connection has signed in: the deadline no longer applies. */
  signedIn(): void {
    this.deadline.cancel();
  }

  /**
   * [proto.invalid-frames] The client sent a frame the gateway refuses as invalid. True when the refusal must
   * not be sent: the connection is closed (now, with `invalid_frames`, or already).
   */
  refuseInvalid(): boolean {
    if (this.closed || this.tooManyInvalid) return true;
    if (!this.invalidFrames.add()) return false;
    this.tooManyInvalid = true;
    this.deps.logger.info({ connection: this.id }, 'connection closed: too many invalid frames');
    this.options.end(disconnect('invalid_frames'));
    return true;
  }

  /** A refusal by its catalogue code: counted by refuseInvalid when the code means an invalid frame. */
  refuses(code: string): boolean {
    return isInvalidFrameCode(code) && this.refuseInvalid();
  }

  /** The socket is gone, whatever closed it: release everything exactly once. True the first time. */
  closedBySocket(opts: { immediate?: boolean } = {}): boolean {
    if (!this.slot.end(opts)) return false;
    this.deadline.cancel();
    this.inbox.stop();
    return true;
  }
}
