import { z } from 'zod';
import { redactVerification } from '../../core/guestVerification.js';
import { redactPreSendHook } from '../../core/preSendHook.js';
import type { App } from '../../core/types.js';
import { defineRoute, type ApiDeps, type RouteSpec } from '../route.js';
import { appNameInput, appParams, appSchema, appSettingsPatchSchema } from '../schemas.js';

export const createAppBody = z.strictObject({
  name: appNameInput,
  settings: appSettingsPatchSchema.optional().describe('Settings that differ from the defaults'),
});

export const patchAppBody = z.strictObject({
  name: appNameInput.optional(),
  settings: appSettingsPatchSchema.optional(),
});

/** An app as the admin API shows it: the verification service's secret never leaves (`[set]` in its place). */
function shown(app: App): App {
  const guestVerification = redactVerification(app.settings.guestVerification);
  const preSendHook = redactPreSendHook(app.settings.preSendHook);
  return { ...app, settings: { ...app.settings, guestVerification, preSendHook } };
}

export function appRoutes({ engine }: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/apps',
      operationId: 'createApp',
      tag: 'apps',
      summary: 'Create an app',
      description: 'An app is one tenant: its own users, rooms, settings and moderation.',
      auth: 'admin',
      audit: 'app.create',
      body: createAppBody,
      responses: { 201: { description: 'The new app', schema: appSchema } },
      handler: async ({ body }) => ({ status: 201, body: shown(await engine.createApp(body)) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps',
      operationId: 'listApps',
      tag: 'apps',
      summary: 'List the apps',
      auth: 'admin',
      responses: { 200: { description: 'Every app', schema: z.strictObject({ apps: z.array(appSchema) }) } },
      handler: async () => ({ status: 200, body: { apps: (await engine.listApps()).map(shown) } }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/apps/:app',
      operationId: 'getApp',
      tag: 'apps',
      summary: 'Get an app and its settings',
      auth: 'admin',
      params: appParams,
      responses: { 200: { description: 'The app', schema: appSchema } },
      errors: ['not_found'],
      handler: async ({ params }) => ({ status: 200, body: shown(await engine.getApp(params.app)) }),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/apps/:app',
      operationId: 'updateApp',
      tag: 'apps',
      summary: 'Rename an app or change some of its settings',
      description:
        'Each settings field given replaces the stored one; `flood`, `limits` and `jwt` are replaced as a whole. ' +
        'Settings fields left out keep their values.',
      auth: 'admin',
      audit: 'app.update',
      params: appParams,
      body: patchAppBody,
      responses: { 200: { description: 'The updated app', schema: appSchema } },
      errors: ['not_found'],
      handler: async ({ params, body }) => ({
        status: 200,
        body: shown(await engine.updateApp(params.app, body)),
      }),
    }),
  ];
}
