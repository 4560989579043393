/**
 * Files from the composer (docs/attachments.md): picked with the attach button, dropped on the widget or pasted.
 * Each is uploaded at once over HTTP, with its progress shown; the next send names the uploads that are done.
 * XMLHttpRequest rather than fetch: only it reports the progress of a request's body.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChatSession } from './session.js';
import { textsOf } from './i18n/scope.js';

export interface Upload {
  key: number;
  name: string;
  loaded: number;
  total: number;
  /** The upload's id once the server took it. */
  id: string | null;
  request: XMLHttpRequest | null;
}

interface Refusal {
  code?: string;
  message?: string;
  details?: { maxBytes?: number; type?: string };
}

let uploadKeys = 0;

const megabytes = (bytes: number): string => `${Math.round((bytes / 1048576) * 10) / 10} MB`;

export class UploadController implements ReactiveController {
  uploads: Upload[] = [];
  private session: ChatSession | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly current: () => ChatSession | null,
    /** The user's Bearer for the upload route: an access token, a site JWT or a guest's resume token. */
    private readonly bearer: () => string | null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.host.addEventListener('dragover', this.onDragOver);
    this.host.addEventListener('drop', this.onDrop);
    this.host.addEventListener('paste', this.onPaste);
  }

  hostDisconnected(): void {
    this.host.removeEventListener('dragover', this.onDragOver);
    this.host.removeEventListener('drop', this.onDrop);
    this.host.removeEventListener('paste', this.onPaste);
    this.clear();
  }

  /** Another session (a restart, another room): its uploads are not this one's. */
  hostUpdate(): void {
    const session = this.current();
    if (session !== this.session) {
      this.clear();
      this.session = session;
    }
  }

  get busy(): boolean {
    return this.uploads.some((u) => u.id === null);
  }

  get ready(): string[] {
    return this.uploads.flatMap((u) => (u.id === null ? [] : [u.id]));
  }

  /** The composer sent them: the tray empties. */
  sent(): void {
    this.uploads = [];
    this.host.requestUpdate();
  }

  remove(key: number): void {
    this.uploads.find((u) => u.key === key)?.request?.abort();
    this.uploads = this.uploads.filter((u) => u.key !== key);
    this.host.requestUpdate();
  }

  add(files: Iterable<File>): void {
    const session = this.current();
    if (!session?.joined || !session.canWrite) return;
    for (const file of files) this.start(session, file);
  }

  private clear(): void {
    for (const upload of this.uploads) upload.request?.abort();
    this.uploads = [];
  }

  private start(session: ChatSession, file: File): void {
    const { server, app } = session.options;
    const upload: Upload = {
      key: ++uploadKeys,
      name: file.name,
      loaded: 0,
      total: file.size,
      id: null,
      request: null,
    };
    const request = new XMLHttpRequest();
    upload.request = request;
    this.uploads = [...this.uploads, upload];
    const room = encodeURIComponent(session.room);
    request.open('POST', `${server}/api/v1/apps/${app}/rooms/${room}/attachments`);
    const bearer = this.bearer();
    if (bearer) request.setRequestHeader('Authorization', `Bearer ${bearer}`);
    request.responseType = 'json';
    request.upload.addEventListener('progress', (e) => {
      upload.loaded = e.loaded;
      if (e.lengthComputable) upload.total = e.total;
      this.host.requestUpdate();
    });
    request.addEventListener('loadend', () => {
      upload.request = null;
      if (!this.uploads.includes(upload)) return;
      const body = request.response as { attachment?: { id: string }; error?: Refusal } | null;
      if (request.status === 201 && body?.attachment) {
        upload.id = body.attachment.id;
        upload.loaded = upload.total;
      } else {
        this.uploads = this.uploads.filter((u) => u !== upload);
        session.notify(
          'error',
          this.refusalText(file.name, request.status === 0 ? null : (body?.error ?? {})),
        );
      }
      this.host.requestUpdate();
    });
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
    this.host.requestUpdate();
  }

  /** `null`: the request never got an answer (the network, or a server that cut a too large upload short). */
  private refusalText(name: string, error: Refusal | null): string {
    const texts = textsOf(this.host);
    switch (error?.code) {
      case 'attachment_too_large':
        return texts.t('fileTooLarge', { name, max: megabytes(error.details?.maxBytes ?? 0) });
      case 'attachment_type':
        return texts.t('fileTypeRefused', { name });
      case 'attachments_disabled':
        return texts.t('filesDisabled');
      default:
        return texts.t('couldNotUpload', { name, reason: error?.message ?? texts.t('connectFailed') });
    }
  }

  private readonly onDragOver = (e: DragEvent): void => {
    if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
  };

  private readonly onDrop = (e: DragEvent): void => {
    const files = e.dataTransfer?.files;
    if (!files?.length) return;
    e.preventDefault();
    this.add(files);
  };

  /** A pasted image (a screenshot): text pastes go on to the composer as ever. */
  private readonly onPaste = (e: ClipboardEvent): void => {
    const files = [...(e.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    this.add(files);
  };
}
