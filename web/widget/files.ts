/** The widget's files: uploads from the composer (uploader.ts) and the image lightbox (lightbox.ts). */
import type { ReactiveControllerHost } from 'lit';
import { getSharedToken } from './element-base.js';
import { loadIdentity } from './identity.js';
import { Lightbox } from './lightbox.js';
import type { ChatSession } from './session.js';
import { UploadController } from './uploader.js';

interface FilesHost extends ReactiveControllerHost, HTMLElement {
  token: string | null;
  serverUrl: string;
  app: number;
}

export class FileControls {
  readonly lightbox: Lightbox;
  readonly uploads: UploadController;

  constructor(host: FilesHost, session: () => ChatSession | null) {
    this.lightbox = new Lightbox(host);
    // The credentials the session signed in with, as restart() picks them; a guest's are its resume token,
    // remembered once it joined (and replaced by the account's token when it signed in in place).
    const bearer = () =>
      host.token ?? getSharedToken() ?? loadIdentity(host.serverUrl, host.app)?.token ?? null;
    this.uploads = new UploadController(host, session, bearer);
  }
}
