/**
 * `Auth {user, password, room}` against the app's own accounts: the password of `user`, or, in its place, an
 * access token (or site JWT) of that same user. Never accepted: a token of anyone else, whatever `user` says.
 */
import { isParleyError, ParleyError } from '../../core/errors.js';
import { usernameKey } from '../../core/names.js';
import type { AppId } from '../../core/types.js';
import type { EngineConnections } from '../../engine/api.js';
import type { Principal } from '../../core/identity.js';
import { BAD_LOGIN } from './protocol.js';
import type { AuthPayload } from './schemas.js';

function isUnauthorized(err: unknown): boolean {
  return isParleyError(err) && err.code === 'unauthorized';
}

export async function authenticate(
  engine: EngineConnections,
  appId: AppId,
  payload: AuthPayload,
  address?: string,
): Promise<Principal> {
  // The token is tried first: it costs no password hash, and a client that signs in with its token never uses up
  // the account's password attempts (the sign-in limits count only wrong passwords).
  const byToken = await tokenOf(engine, appId, payload);
  if (byToken) return byToken;
  try {
    return await engine.authenticate(
      appId,
      { kind: 'password', username: payload.user, password: payload.password },
      address,
    );
  } catch (err) {
    // Anything but "wrong credentials" (banned, locked for too many failures, storage down) is the answer as it is.
    if (isUnauthorized(err)) throw new ParleyError('unauthorized', BAD_LOGIN);
    throw err;
  }
}

/** The user `payload.user` signed in by the token (or site JWT) in the password's place; null when it is not one. */
async function tokenOf(
  engine: EngineConnections,
  appId: AppId,
  payload: AuthPayload,
): Promise<Principal | null> {
  let principal: Principal;
  try {
    principal = await engine.authenticate(appId, { kind: 'token', token: payload.password });
  } catch (err) {
    if (isUnauthorized(err)) return null;
    throw err;
  }
  return usernameKey(principal.user.username) === usernameKey(payload.user) ? principal : null;
}
