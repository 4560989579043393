/**
 * Framing-independent state of one native connection: the app it belongs to, its session once authenticated,
 * the auth timeout, dispatch through the operation table and cleanup. The WebSocket and socket.io gateways
 * each own the socket and hand this class decoded requests.
 */
import { newConnectionId } from '../../engine/ids.js';
import { isOriginAllowed } from '../../core/apps.js';
import { disconnect } from '../../core/disconnect.js';
import type { DisconnectReason } from '../../core/disconnect.js';
import { isParleyError, ParleyError, toParleyError } from '../../core/errors.js';
import type { ErrorBody, ErrorCode } from '../../core/errors.js';
import type { AppId } from '../../core/types.js';
import type { Session, SessionSink } from '../../engine/api.js';
import type { Credentials, Principal } from '../../core/identity.js';
import type { Ack } from '../../protocol/native.js';
import type { GatewayDeps } from '../types.js';
import { parseCredentials, runOperation } from './operations.js';
import type { OperationContext } from './operations.js';

export type NativeTransportName = 'ws' | 'socket.io';

export const NATIVE_DIALECT = 'native';

/** `app` from a query string or handshake: a positive integer, default 1 ([proto.app]). */
export function parseAppId(raw: unknown): AppId {
  if (raw === undefined || raw === null || raw === '') return 1;
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string' || !/^[1-9]\d{0,8}$/.test(text)) {
    throw new ParleyError('bad_request', 'app must be a positive integer', { field: 'app' });
  }
  return Number(text);
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
  input: { app: unknown; origin: string | undefined; credentials: () => Credentials | null },
): Promise<Admission> {
  const appId = parseAppId(input.app);
  const app = await deps.engine.getApp(appId);
  if (!isOriginAllowed(input.origin, deps.config.allowedOrigins, app.settings.allowedOrigins)) {
    throw new ParleyError('origin_not_allowed');
  }
  const credentials = input.credentials();
  const principal = credentials ? await deps.engine.authenticate(appId, credentials) : null;
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

export class NativeConnection {
  readonly id = newConnectionId();
  private appId: AppId = 0;
  private session: Session | null = null;
  private authenticating = false;
  private isClosed = false;
  private authTimer: ReturnType<typeof setTimeout> | null = null;
  /** Settles when admission does: true when admitted. Requests wait on it. */
  private readonly ready: Promise<boolean>;
  private settleReady: (admitted: boolean) => void = () => {};
  private pendingAuth: Promise<void> | null = null;
  private readonly context: OperationContext;

  constructor(
    private readonly deps: GatewayDeps,
    private readonly transport: NativeTransportName,
    private readonly sink: SessionSink,
  ) {
    this.ready = new Promise<boolean>((resolve) => (this.settleReady = resolve));
    const read = () => ({ appId: this.appId, session: this.session, authenticating: this.authenticating });
    this.context = {
      get appId() {
        return read().appId;
      },
      engine: deps.engine,
      get session() {
        return read().session;
      },
      get authenticating() {
        return read().authenticating;
      },
      authenticate: (credentials) => this.authenticate(credentials),
      now: () => Date.now(),
    };
    // [proto.auth-timeout] A connection has authTimeoutMs to authenticate, from the moment it is open.
    this.authTimer = setTimeout(() => {
      this.authTimer = null;
      if (!this.session && !this.isClosed) this.sink.terminate(disconnect('auth_timeout'));
    }, deps.config.authTimeoutMs);
    this.authTimer.unref?.();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get currentSession(): Session | null {
    return this.session;
  }

  /**
   * The connection's admission (app, origin, handshake credentials). Requests that arrive before it settles
   * wait for it, in order. Resolves null when admitted, or the error to close the socket with.
   */
  start(admission: Promise<Admission>): Promise<ParleyError | null> {
    const outcome = admission.then(
      (admitted) => {
        if (this.isClosed) return new ParleyError('unavailable', 'The connection is closed');
        this.appId = admitted.appId;
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

  /** Run one request and return its reply; never throws. */
  async dispatch(op: unknown, data: unknown): Promise<Ack> {
    try {
      const ready = await this.ready;
      if (this.isClosed || !ready) throw new ParleyError('unavailable', 'The connection is closed');
      // [proto.ordering] Requests pipelined behind an `auth` run once it has settled.
      if (this.pendingAuth && op !== 'auth') await this.pendingAuth;
      return { ok: true, data: await runOperation(this.context, op, data) };
    } catch (err) {
      return { ok: false, error: this.errorBody(err, op) };
    }
  }

  /** Any thrown value as a catalogue error; unexpected ones are logged without request data. */
  errorBody(err: unknown, op?: unknown): ErrorBody {
    if (!isParleyError(err)) {
      this.deps.logger.error(
        {
          err:
            err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
          op: typeof op === 'string' ? op.slice(0, 64) : undefined,
          connection: this.id,
          transport: this.transport,
        },
        'native operation failed',
      );
    }
    return toParleyError(err).toBody();
  }

  /** The socket is gone, whatever closed it: release the session exactly once. */
  closedBySocket(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.settleReady(false);
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
    const session = this.session;
    if (session) {
      try {
        session.close();
      } catch (err) {
        this.errorBody(err, 'close');
      }
    }
  }

  private async authenticate(credentials: Credentials): Promise<Principal> {
    this.authenticating = true;
    const attempt = (async () => {
      const principal = await this.deps.engine.authenticate(this.appId, credentials);
      if (this.isClosed) throw new ParleyError('unavailable', 'The connection is closed');
      this.open(principal);
      return principal;
    })();
    this.pendingAuth = attempt.then(
      () => undefined,
      () => undefined,
    );
    try {
      return await attempt;
    } finally {
      this.authenticating = false;
      this.pendingAuth = null;
    }
  }

  private open(principal: Principal): void {
    if (this.session) throw new ParleyError('already_authenticated');
    this.session = this.deps.engine.openSession(principal, this.sink, {
      transport: this.transport,
      dialect: NATIVE_DIALECT,
    });
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
  }
}
