/** Below the list: the reply bar, the composer (or why the reader cannot write), and the footer. */
import { html, nothing, type TemplateResult } from 'lit';
import type { MessageView } from '../../../src/client/index.js';
import type { ChatSession } from '../session.js';
import { blockedComposer, composer, footer } from './chrome.js';
import { replyBar } from './social.js';
import type { UploadController } from '../uploader.js';
import { attachButton, uploadTray } from './uploads.js';

export interface ComposerAreaModel {
  session: ChatSession;
  /** `#lobby` or `@alice`. */
  title: string;
  replyingTo: MessageView | null;
  /** Sign-out is offered only where the widget signed in on its own (no token from the host site). */
  ownSignIn: boolean;
  /** A guest on a live connection: "sign in to keep your name" (in place). */
  liveGuest: boolean;
  uploads: UploadController;
}

export interface ComposerAreaActions {
  cancelReply(focus: boolean): void;
  editLast(): void;
  /** The text was handed to the session: the list goes to the bottom. */
  sent(): void;
  signIn(): void;
  signOut(): void;
}

export function composerArea(model: ComposerAreaModel, actions: ComposerAreaActions): TemplateResult {
  const { session, replyingTo, uploads } = model;
  const wait = session.slowMode.remaining;
  const writing = !session.canWrite
    ? blockedComposer({ mutedUntil: session.mutedUntil, readOnly: session.readOnly, signIn: actions.signIn })
    : composer(
        model.title,
        !session.joined,
        {
          submit: (area) => {
            const text = area.value;
            // A file still uploading holds the message back: it would go without it.
            const files = uploads.ready;
            if ((!text.trim() && files.length === 0) || uploads.busy || session.slowMode.remaining > 0)
              return;
            area.value = '';
            uploads.sent();
            void session.send(text, replyingTo?.id, files);
            actions.cancelReply(false);
            actions.sent();
          },
          cancel: () => {
            actions.cancelReply(true);
            return replyingTo !== null;
          },
          input: () => session.noteTyping(),
          editLast: () => actions.editLast(),
          blur: () => session.stopTyping(),
        },
        wait,
        { attach: attachButton(uploads, !session.joined), tray: uploadTray(uploads) },
      );
  const bar =
    replyingTo && session.canWrite ? replyBar(replyingTo, () => actions.cancelReply(true)) : nothing;
  return html`${bar} ${writing}
  ${footer(
    session.me?.username ?? null,
    model.ownSignIn ? actions.signOut : null,
    model.liveGuest ? actions.signIn : null,
  )}`;
}
