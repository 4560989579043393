/**
 * Framing-independent state of one native connection: the app it belongs to, its session once authenticated,
 * the auth timeout, dispatch through the operation table and cleanup. The WebSocket and socket.io gateways
 * each own the socket and hand this class decoded requests.
 */
import { isParleyError, ParleyError, toParleyError } from '../../core/errors.js';
import type { ErrorBody, ErrorCode } from '../../core/errors.js';
import type { AppId } from '../../core/types.js';
import type { Disconnect, DisconnectReason } from '../../core/disconnect.js';
import type { Session, SessionMeta, SessionSink } from '../../engine/api.js';
import type { EngineEvent } from '../../engine/events.js';
import type { Credentials, Principal } from '../../core/identity.js';
import type { Ack } from '../../protocol/native.js';
import { admitApp, readAppId } from '../kernel/admission.js';
import { ConnectionKernel, type KernelOptions } from '../kernel/connection.js';
import { MAX_IN_FLIGHT } from '../kernel/inbox.js';
import type { GatewayDeps } from '../types.js';
import { parseCredentials, runOperation } from './operations.js';
import type { OperationContext } from './operations.js';
import { settled } from '../kernel/settled.js';
import { KernelConnection } from '../kernel/kernelConnection.js';

export type NativeTransportName = 'ws' | 'socket.io';

export const NATIVE_DIALECT = 'native';

/** How a native session came in: one object per transport, which every session of it shares. */
const SESSION_META: Readonly<Record<NativeTransportName, SessionMeta>> = {
  ws: Object.freeze({ transport: 'ws', dialect: NATIVE_DIALECT }),
  'socket.io': Object.freeze({ transport: 'socket.io', dialect: NATIVE_DIALECT }),
};

/** `app` from a query string or handshake: a positive integer, default 1 ([proto.app]). */
export function parseAppId(raw: unknown): AppId {
  return readAppId(raw);
}

/** Optional handshake credentials: `{token}` (a JWT-shaped token counts as `{jwt}`), `{jwt}` or `{guest}`. */
export function parseHandshakeCredentials(raw: {
  token?: unknown;
  jwt?: unknown;
  guest?: unknown;
}): Credentials | null {
  const payload: Record<string, unknown> = {};
  if (raw.token !== undefined && raw.token !== null && raw.token !== '') payload.token = raw.token;
  if (raw.jwt !== undefined && raw.jwt !== null && raw.jwt !== '') payload.jwt = raw.jwt;
  if (raw.guest !== undefined && raw.guest !== null && raw.guest !== '') payload.guest = raw.guest;
  if (Object.keys(payload).length === 0) return null;
  const credentials = parseCredentials(payload);
  if (credentials.kind === 'token' && /^eyJ[\w-]*\.[\w-]*\.[\w-]*$/.test(credentials.token)) {
    return { kind: 'jwt', jwt: credentials.token };
  }
  return credentials;
}

export interface Admission {
  appId: AppId;
  principal: Principal | null;
}

/**
 * What every new connection goes through once its app is known ([proto.origin], [proto.handshake]): the app
 * must exist, the Origin must be allowed by the server and the app, and handshake credentials, when given,
 * must authenticate. Throws ParleyErrors.
 */
export async function admit(
  deps: GatewayDeps,
  input: {
    app: unknown;
    origin: string | undefined;
    /** The peer's address: new guests per address are limited (the sign-in limits). */
    address: string | undefined;
    credentials: () => Credentials | null;
  },
): Promise<Admission> {
  const appId = parseAppId(input.app);
  await admitApp(deps, appId, input.origin);
  const credentials = input.credentials();
  const principal = credentials ? await deps.engine.authenticate(appId, credentials, input.address) : null;
  return { appId, principal };
}

/** The close reason for an error that ends a connection before it is usable. */
export function admissionDisconnect(code: ErrorCode): DisconnectReason {
  switch (code) {
    case 'credentials_expired':
      return 'credentials_expired';
    case 'banned':
      return 'banned';
    case 'not_found':
      return 'app_deleted';
    case 'bad_request':
      return 'protocol_error';
    default:
      return 'unauthorized';
  }
}

/**
 * What the operations see of one connection. A class, so that its getters live on the prototype rather than as
 * closures made for every connection (an idle connection's bytes count). The connection keeps `appId` and
 * `authenticating` here.
 */
class NativeOperationContext implements OperationContext {
  appId: AppId = 0;
  authenticating = false;

  constructor(
    readonly engine: GatewayDeps['engine'],
    private readonly slot: ConnectionKernel['slot'],
    private readonly connection: { signIn(credentials: Credentials): Promise<Principal> },
  ) {}

  authenticate(credentials: Credentials): Promise<Principal> {
    return this.connection.signIn(credentials);
  }

  get session(): Session | null {
    return this.slot.session;
  }

  now(): number {
    return Date.now();
  }
}

/** The kernel's side of a native connection: the framing's sink, as methods rather than closures. */
class NativeKernelOptions implements KernelOptions {
  constructor(
    readonly transport: NativeTransportName,
    private readonly sink: SessionSink,
  ) {}

  get dialect(): string {
    return NATIVE_DIALECT;
  }

  /** [proto.ordering] Requests run concurrently, up to the kernel's cap; the rest wait in the inbox. */
  get concurrency(): number {
    return MAX_IN_FLIGHT;
  }

  // The engine writes to the framing's own sink; the kernel's is not used.
  deliver(event: EngineEvent): void {
    this.sink.deliver(event);
  }

  bufferedBytes(): number {
    return this.sink.bufferedBytes();
  }

  end(reason: Disconnect): void {
    this.sink.terminate(reason);
  }
}

export class NativeConnection extends KernelConnection {
  protected readonly kernel: ConnectionKernel;
  /** Whether admission let the connection in; null until it settles. Requests wait for it. */
  private admitted: boolean | null = null;
  /** Made only when a request comes before admission has settled (most connections never need it). */
  private admission: { settled: Promise<boolean>; settle: (admitted: boolean) => void } | null = null;
  private pendingAuth: Promise<void> | null = null;
  private readonly context: NativeOperationContext;

  constructor(
    private readonly deps: GatewayDeps,
    private readonly transport: NativeTransportName,
    private readonly sink: SessionSink,
    /** The peer's network address, for the sign-in limits of passwords sent with `auth`. */
    private readonly address?: string,
  ) {
    super();
    this.kernel = new ConnectionKernel(deps, new NativeKernelOptions(transport, sink));
    this.context = new NativeOperationContext(deps.engine, this.kernel.slot, this);
  }

  /** Settles once: true when admitted. */
  private settleReady(admitted: boolean): void {
    if (this.admitted !== null) return;
    this.admitted = admitted;
    const waiting = this.admission;
    this.admission = null;
    waiting?.settle(admitted);
  }

  private ready(): boolean | Promise<boolean> {
    if (this.admitted !== null) return this.admitted;
    if (!this.admission) {
      let settle: (admitted: boolean) => void = () => {};
      const settled = new Promise<boolean>((resolve) => (settle = resolve));
      this.admission = { settled, settle };
    }
    return this.admission.settled;
  }

  get closed(): boolean {
    return this.kernel.closed;
  }

  get currentSession(): Session | null {
    return this.kernel.slot.session;
  }

  /**
   * The connection's admission (app, origin, handshake credentials). Requests that arrive before it settles
   * wait for it, in order. Resolves null when admitted, or the error to close the socket with.
   */
  start(admission: Promise<Admission>): Promise<ParleyError | null> {
    const outcome = admission.then(
      (admitted) => {
        if (this.closed) return new ParleyError('unavailable', 'The connection is closed');
        this.context.appId = admitted.appId;
        if (admitted.principal) this.open(admitted.principal);
        return null;
      },
      (err: unknown) => {
        if (!isParleyError(err)) this.errorBody(err, 'admission');
        return toParleyError(err);
      },
    );
    const settled = outcome.catch((err: unknown) => {
      this.errorBody(err, 'admission');
      return toParleyError(err);
    });
    void settled.then((error) => this.settleReady(error === null));
    return settled;
  }

  /**
   * Take one request: `answer` gets its reply, through the outbound bound (a client that does not read its
   * replies is ended as a slow consumer). Over the inbox bound the request is answered `rate_limited` at once.
   */
  request(op: unknown, data: unknown, answer: (reply: Ack) => void): void {
    const respond = (reply: Ack) => {
      if (!reply.ok && this.kernel.refuses(reply.error.code)) return;
      if (!this.closed) this.kernel.outbound.write(() => answer(reply));
    };
    const taken = this.kernel.inbox.offer(async () => respond(await this.dispatch(op, data)));
    if (!taken && !this.closed) {
      const error = new ParleyError('rate_limited', 'Too many requests in flight, slow down');
      respond({ ok: false, error: error.toBody() });
    }
  }

  /** Refuse a frame that is no request at all (its error answers no request), through the outbound bound. */
  refuseFrame(write: () => void): void {
    if (!this.kernel.refuseInvalid()) this.kernel.outbound.write(write);
  }

  /** Run one request and return its reply; never throws. */
  async dispatch(op: unknown, data: unknown): Promise<Ack> {
    try {
      const ready = await this.ready();
      if (this.closed || !ready) throw new ParleyError('unavailable', 'The connection is closed');
      // [proto.ordering] Requests pipelined behind an `auth` run once it has settled.
      if (this.pendingAuth && op !== 'auth') await this.pendingAuth;
      return { ok: true, data: await runOperation(this.context, op, data) };
    } catch (err) {
      return { ok: false, error: this.errorBody(err, op) };
    }
  }

  /** Any thrown value as a catalogue error; unexpected ones are logged without request data. */
  errorBody(err: unknown, op?: unknown): ErrorBody {
    if (!isParleyError(err)) this.kernel.fail(err, op);
    return toParleyError(err).toBody();
  }

  /** The socket is gone, whatever closed it: release the session exactly once. */
  closedBySocket(): void {
    if (this.kernel.closedBySocket()) this.settleReady(false);
  }

  /** The `auth` operation (through the operation context). */
  async signIn(credentials: Credentials): Promise<Principal> {
    this.context.authenticating = true;
    const attempt = (async () => {
      const principal = await this.deps.engine.authenticate(this.context.appId, credentials, this.address);
      if (this.closed) throw new ParleyError('unavailable', 'The connection is closed');
      this.open(principal);
      return principal;
    })();
    this.pendingAuth = settled(attempt);
    try {
      return await attempt;
    } finally {
      this.context.authenticating = false;
      this.pendingAuth = null;
    }
  }

  private open(principal: Principal): void {
    if (this.currentSession) throw new ParleyError('already_authenticated');
    const session = this.deps.engine.openSession(principal, this.sink, SESSION_META[this.transport]);
    this.kernel.slot.fill(session);
    this.kernel.signedIn();
  }
}
