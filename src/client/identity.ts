/**
 * Who the client is: the credentials it authenticates with after every reconnect, a guest's resume token (so
 * that a guest comes back as the same user), and the last authentication's result.
 */
import type { AuthResult, UpgradeRequest, UpgradeResult, User } from '../protocol/native.js';
import { ParleyClientError, toClientError } from './errors.js';
import type { Transport } from './transport.js';
import type { ClientCredentials } from './types.js';

export class ClientIdentity {
  private credentials: ClientCredentials | null;
  private resumeToken: string | null = null;
  private result: AuthResult | null = null;

  constructor(credentials: ClientCredentials | null) {
    this.credentials = credentials;
  }

  get hasCredentials(): boolean {
    return this.credentials !== null;
  }

  get user(): User | null {
    return this.result?.user ?? null;
  }

  /** Authenticate with other credentials from now on; returns what puts the previous ones back. */
  replace(credentials: ClientCredentials): () => void {
    const previous = { credentials: this.credentials, resumeToken: this.resumeToken };
    this.credentials = credentials;
    this.resumeToken = null;
    return () => {
      this.credentials = previous.credentials;
      this.resumeToken = previous.resumeToken;
    };
  }

  /** The server accepted new credentials for the same user. */
  refreshed(credentials: { token: string } | { jwt: string }, expiresAt: number | null): void {
    this.credentials = credentials;
    this.resumeToken = null;
    if (this.result) this.result = { ...this.result, expiresAt };
  }

  /** The guest became a user (`upgrade`): reconnects authenticate as that user, with the token when given one. */
  upgraded(request: UpgradeRequest, result: UpgradeResult): void {
    if (result.token !== undefined) this.credentials = { token: result.token };
    else if ('token' in request || 'jwt' in request) this.credentials = request;
    else this.credentials = { username: request.username, password: request.password };
    this.resumeToken = null;
    this.result = { user: result.user, expiresAt: result.expiresAt };
  }

  /** Authenticate `transport`: a guest with its resume token first, when it has one. */
  async authenticateOn(transport: Transport, timeoutMs: number): Promise<AuthResult> {
    const credentials = this.credentials;
    if (!credentials) throw new ParleyClientError('unauthorized', 'No credentials', { status: 401 });
    const isGuest = 'guest' in credentials;
    if (isGuest && this.resumeToken) {
      try {
        const resumed = (await transport.request(
          'auth',
          { token: this.resumeToken },
          timeoutMs,
        )) as AuthResult;
        // The server renews a guest's resume token each time it is used: keep the newest.
        if (resumed.resumeToken) this.resumeToken = resumed.resumeToken;
        this.result = { ...resumed, resumeToken: this.resumeToken };
        return this.result;
      } catch (err) {
        const error = toClientError(err);
        // An expired or revoked resume token: come back as the nickname instead.
        if (error.code !== 'unauthorized' && error.code !== 'credentials_expired') throw error;
        this.resumeToken = null;
      }
    }
    const result = (await transport.request('auth', credentials, timeoutMs)) as AuthResult;
    if (isGuest && result.resumeToken) this.resumeToken = result.resumeToken;
    this.result = result;
    return result;
  }
}
