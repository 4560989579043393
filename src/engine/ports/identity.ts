import type { Credentials, IssuedToken, Principal } from '../../core/identity.js';
import type { App, User } from '../../core/types.js';
import type { EventOutbox } from './webhookStore.js';

/**
 * Who is connecting, as the engine asks it: credentials in, a Principal out; accounts and tokens issued.
 * src/auth implements it; the engine never sees a password hash algorithm or a token format.
 */
export interface IdentityProvider {
  authenticate(app: App, credentials: Credentials): Promise<Principal>;
  /** `outbox`: the `user.created` events, written in the transaction that creates the account. */
  register(app: App, username: string, password: string, outbox?: EventOutbox<User>): Promise<IssuedToken>;
  login(app: App, username: string, password: string): Promise<IssuedToken>;
  issueToken(app: App, username: string, ttlSeconds?: number): Promise<IssuedToken>;
  /** The stored form of a password (for accounts the operator creates); the password is checked first. */
  hashPassword(password: string): Promise<string>;
  /** A new API key for a bot (core/bots.ts): an access token without expiry, stored as its hash only. */
  issueApiKey(app: App, user: User): Promise<IssuedToken>;
}
