/**
 * A guest who signs in or creates an account keeps the connection and the room: the server's `upgrade` turns the
 * guest into that user in place (the room sees one rename, not a leave and a join). An access token from the
 * host site goes the same way.
 */
import { ParleyClientError } from '../../src/client/index.js';
import { AccountError, accountErrorText, saveIdentity, type StoredIdentity } from './identity.js';
import { describe, type ChatSession } from './session.js';

/** A live connection of a guest: what can be signed in in place. */
export function isLiveGuest(session: ChatSession | null): boolean {
  return session !== null && session.joined && session.me?.role === 'guest';
}

/** Sign the guest in with a username and password; the account's token is remembered for the next visit. */
export async function upgradeWithPassword(
  session: ChatSession,
  where: { server: string; app: number },
  mode: 'login' | 'register',
  username: string,
  password: string,
): Promise<void> {
  try {
    const result = await session.upgrade({ username, password, register: mode === 'register' });
    if (result.token) {
      const identity: StoredIdentity = {
        kind: 'account',
        username: result.user.username,
        token: result.token,
      };
      saveIdentity(where.server, where.app, identity);
    }
  } catch (err) {
    const code = err instanceof ParleyClientError ? err.code : 'internal';
    throw new AccountError(code, accountErrorText(code, describe(err)));
  }
}
