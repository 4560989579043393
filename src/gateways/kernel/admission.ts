/**
 * App and Origin admission, the same for every gateway: the app named by the connection must exist, and a
 * browser's Origin must be allowed by the server's list and by the app's. Each gateway tells a refusal its
 * own way.
 */
import { isOriginAllowed } from '../../core/apps.js';
import { ParleyError } from '../../core/errors.js';
import type { App, AppId } from '../../core/types.js';
import type { GatewayDeps } from '../types.js';

const APP_ID = /^[1-9]\d{0,8}$/;

/**
 * `app` from a query string or handshake (the first, when repeated): a positive integer; absent or empty means
 * app 1. Anything else is a `bad_request` with `message`.
 */
export function readAppId(raw: unknown, message = 'app must be a positive integer'): AppId {
  const value = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
  if (value === undefined || value === null || value === '') return 1;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !APP_ID.test(text)) {
    throw new ParleyError('bad_request', message, { field: 'app' });
  }
  return Number(text);
}

/** The app, when it exists and admits the Origin; otherwise `not_found` or `origin_not_allowed`. */
export async function admitApp(deps: GatewayDeps, appId: AppId, origin: string | undefined): Promise<App> {
  const app = await deps.engine.getApp(appId);
  if (!originAllowed(deps, app, origin)) throw new ParleyError('origin_not_allowed');
  return app;
}

export function originAllowed(deps: GatewayDeps, app: App, origin: string | undefined): boolean {
  return isOriginAllowed(origin, deps.config.allowedOrigins, app.settings.allowedOrigins);
}
