/**
 * Which app a chatroom request belongs to (`?app=N`, default 1) and whether its browser Origin may use that
 * app. Shared by the WebSocket endpoint and the HTTP routes.
 */
import { DISCONNECT_CATALOGUE, type DisconnectReason } from '../../core/disconnect.js';
import type { ErrorCode } from '../../core/errors.js';
import type { AppId } from '../../core/types.js';
import { admitApp, readAppId } from '../kernel/admission.js';
import type { GatewayDeps } from '../types.js';

/** `app` from a query string: absent or empty means app 1; otherwise a positive integer. */
export function parseAppParam(raw: string | null | undefined): AppId {
  return readAppId(raw);
}

/** The `app` query parameter of a request URL (its first occurrence), or null. */
export function appParamOf(url: string | undefined): string | null {
  const query = (url ?? '').indexOf('?');
  if (query === -1) return null;
  return new URLSearchParams((url ?? '').slice(query + 1)).get('app');
}

/** The app must exist and the Origin (when a browser sent one) must be allowed by the server and the app. */
export async function admit(
  deps: GatewayDeps,
  appParam: string | null,
  origin: string | undefined,
): Promise<AppId> {
  const appId = parseAppParam(appParam);
  await admitApp(deps, appId, origin);
  return appId;
}

/** How a WebSocket that could not be admitted is closed, after its error frame. */
export function admissionCloseCode(code: ErrorCode): number {
  const reason: DisconnectReason | null =
    code === 'bad_request'
      ? 'protocol_error'
      : code === 'not_found'
        ? 'app_deleted'
        : code === 'internal' || code === 'unavailable'
          ? null
          : 'unauthorized';
  return reason === null ? 1011 : DISCONNECT_CATALOGUE[reason].code;
}
