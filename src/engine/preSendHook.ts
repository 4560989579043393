import { z } from 'zod';
import { messageRejected } from '../core/failures.js';
import { checkMessageText } from '../core/messages.js';
import { PRE_SEND_ANSWER_MAX_BYTES, PRE_SEND_REASON_MAX, type PreSendHook } from '../core/preSendHook.js';
import type { App, MessageId, Room, UserRef } from '../core/types.js';
import type { EngineContext } from './context.js';
import type { SiteCaller } from './ports/siteCaller.js';
import { parseJson, siteEnvelope } from './siteEnvelope.js';
import { toRoomRef } from './views.js';

/** What the hook is shown of a message about to be stored (docs/bots.md, "Moderation bots"). */
export interface PreSendMessage {
  room: Room;
  author: UserRef;
  kind: 'text' | 'me';
  text: string;
  replyTo: MessageId | null;
}

/** The three answers a hook may give; anything else counts as no answer. */
const answerSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('allow') }),
  z.object({ action: z.literal('reject'), reason: z.string().max(10_000).optional() }),
  z.object({ action: z.literal('replace'), text: z.string().max(1_000_000) }),
]);

/**
 * The app's pre-send hook on the post pipeline, after the filters and before the store: the message is POSTed
 * to the site, signed, and only its sender waits for the answer (at most the app's `timeoutMs`). A refusal is
 * `message_rejected` with the site's reason; a replacement is held to the same length rule as what the sender
 * typed. No usable answer (late, unreachable, not 2xx, too large, malformed) is decided by `onTimeout`.
 */
export class PreSendHooks {
  constructor(
    private readonly ctx: EngineContext,
    private readonly siteCaller: SiteCaller,
  ) {}

  /** The text to store: the sender's, or the hook's replacement. Throws when the hook refuses. */
  async check(app: App, message: PreSendMessage): Promise<string> {
    const hook = app.settings.preSendHook;
    if (hook === null) return message.text;
    const answer = await this.ask(app, hook, message);
    if (answer === null) {
      if (hook.onTimeout === 'reject') throw messageRejected('The message could not be checked; try again');
      return message.text;
    }
    switch (answer.action) {
      case 'allow':
        return message.text;
      case 'reject':
        throw messageRejected((answer.reason ?? '').slice(0, PRE_SEND_REASON_MAX));
      case 'replace':
        return checkMessageText(answer.text, app.settings.maxMessageLength);
    }
  }

  private async ask(
    app: App,
    hook: PreSendHook,
    message: PreSendMessage,
  ): Promise<z.infer<typeof answerSchema> | null> {
    const now = this.ctx.clock.now();
    const data = {
      room: toRoomRef(message.room),
      author: message.author,
      kind: message.kind,
      text: message.text,
      ...(message.replyTo === null ? {} : { replyTo: message.replyTo }),
    };
    const envelope = siteEnvelope('message.presend', app.id, data, now);
    const outcome = await this.siteCaller.post(
      {
        url: hook.url,
        secret: hook.secret,
        eventId: envelope.id,
        body: JSON.stringify(envelope),
        timeoutMs: hook.timeoutMs,
        maxResponseBytes: PRE_SEND_ANSWER_MAX_BYTES,
      },
      now,
    );
    const failed = (why: string, status?: number) => {
      this.ctx.logger.warn({ appId: app.id, why, status }, 'the pre-send hook gave no usable answer');
      return null;
    };
    if (!outcome.ok) return failed(outcome.failure, outcome.status);
    if (outcome.status < 200 || outcome.status > 299) return failed('status', outcome.status);
    const parsed = answerSchema.safeParse(parseJson(outcome.body));
    return parsed.success ? parsed.data : failed('malformed');
  }
}
