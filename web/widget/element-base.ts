/**
 * The public face of <parley-chat>: its attributes and their defaults, and what every widget on the page
 * shares (the server widget.js came from, a token handed over by the host page). The element itself
 * (element.ts) is the behaviour.
 *
 * Attributes: `app`, `room`, `server` (default: where widget.js came from), `token` (a token handed over by
 * the host site), `label` (the heading), `data-theme` (`light`, `dark`, or absent to follow the system),
 * `mode` (`launcher`: a floating button that opens the box; absent: the box in the page), `position`
 * (`bottom-left`; absent: bottom right), `notify` (`sound`, `browser` or both, comma-separated: offered to the
 * reader for mentions and DMs while the tab is hidden), `title-unread` (`true`/`false`: the unread count in
 * the tab's title; absent: on for the launcher only) and `open` (the launcher's box is open).
 */
import { LitElement, type PropertyDeclarations } from 'lit';

/** Where widget.js was loaded from: the default server of every widget on the page. */
let defaultServer = typeof location === 'undefined' ? '' : location.origin;
/** A token handed over by the host page before or after the widgets appeared. */
let sharedToken: string | null = null;

export function setDefaultServer(server: string): void {
  defaultServer = server;
}

export function setSharedToken(token: string | null): void {
  sharedToken = token;
}

export function getSharedToken(): string | null {
  return sharedToken;
}

export class ChatElementBase extends LitElement {
  static override properties: PropertyDeclarations = {
    app: { type: Number },
    room: { type: String },
    server: { type: String },
    token: { type: String },
    label: { type: String },
    // Reflected: the styles key on them. Left unset, no attribute appears on an inline box.
    mode: { type: String, reflect: true },
    position: { type: String, reflect: true },
    notify: { type: String },
    titleUnread: { type: String, attribute: 'title-unread' },
    open: { type: Boolean, reflect: true },
  };

  declare app: number;
  declare room: string;
  declare server: string;
  declare token: string | null;
  declare label: string;
  declare mode: string | undefined;
  declare position: string | undefined;
  declare notify: string | undefined;
  declare titleUnread: string | undefined;
  declare open: boolean;

  constructor() {
    super();
    this.app = 1;
    this.room = 'lobby';
    this.server = '';
    this.token = null;
    this.label = '';
    this.open = false;
  }

  get serverUrl(): string {
    return (this.server || defaultServer).replace(/\/+$/, '');
  }

  /** A floating button that opens the box, rather than the box in the page. */
  get isLauncher(): boolean {
    return this.mode === 'launcher';
  }
}
