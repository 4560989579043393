/**
 * One connection per browser across tabs (`shareAcrossTabs`): the tab that holds the scope's Web Lock leads and
 * owns the one real connection (tab-hub.ts); the other tabs use it through a view over a BroadcastChannel
 * (tab-view.ts). Every tab asks for the lock for as long as its client is open, so when the leader tab closes
 * the lock passes to the next tab, which announces itself and connects; the others lose their view, reconnect
 * through the new leader and resume (the client re-joins from its cursors and repeats lost sends).
 *
 * Web Locks and BroadcastChannel rather than a SharedWorker: they are in every current browser (a SharedWorker is
 * not in Chrome on Android, nor in Safari before 16), need no second script on the server's origin, and a
 * lock's hand-over on a tab's close is the browser's to make, with no heartbeat to tune.
 */
import type { UpgradeRequest, UpgradeResult } from '../protocol/native.js';
import { ParleyClientError } from './errors.js';
import { newClientMsgId } from './sends.js';
import { TabHub } from './tab-hub.js';
import { isTabMessage } from './tab-protocol.js';
import type {
  ChannelConstructorLike,
  ChannelLike,
  LockManagerLike,
  TabMessage,
  TabSharingOptions,
} from './tab-protocol.js';
import { credentialsScope, fromWireError, tabChannelName, tabPieces } from './tab-protocol.js';
import { LocalView, RemoteView } from './tab-view.js';
import type { Transport, TransportFactory, TransportOptions } from './transport.js';
import type { ClientCredentials } from './types.js';

interface HelloWait {
  welcome(leader: string): void;
  refused(error: ParleyClientError): void;
  /** A (new) leader announced itself: say hello again, or lead when it is this tab. */
  leader(): void;
}

export interface TabShareOptions {
  locks: LockManagerLike;
  Channel: ChannelConstructorLike;
  /** The scope's lock and channel name. */
  name: string;
  /** The client's own transport factory: what the leader opens the real connection with. */
  inner: TransportFactory;
  /** How long a tab waits for a leader's welcome before its connection attempt fails. */
  helloTimeoutMs: number;
  /** Another tab signed in: this tab's client authenticates as that user from now on. */
  signedIn(request: UpgradeRequest, result: UpgradeResult): void;
}

export class TabShare {
  readonly tabId = newClientMsgId();
  private channel: ChannelLike | null = null;
  private hub: TabHub | null = null;
  private releaseLock: (() => void) | null = null;
  private readonly views = new Set<RemoteView>();
  private readonly hellos = new Map<string, HelloWait>();
  /** Locks held for this tab's follower views: the leader learns from them when the tab is gone. */
  private readonly viewLocks = new Map<string, () => void>();
  /** Bumped by stop(): a lock granted to an earlier start is handed back at once. */
  private epoch = 0;

  constructor(private readonly options: TabShareOptions) {}

  /** True while this tab holds the lock, i.e. owns the connection. */
  get leading(): boolean {
    return this.hub !== null;
  }

  readonly factory: TransportFactory = (transportOptions) => this.connect(transportOptions);

  /** The client closed: hand the lock (and the connection) to the next tab. */
  stop(): void {
    this.epoch++;
    const hub = this.hub;
    this.hub = null;
    hub?.shutdown();
    this.releaseLock?.();
    this.releaseLock = null;
    for (const view of [...this.views]) view.close();
    for (const release of this.viewLocks.values()) release();
    this.viewLocks.clear();
    for (const wait of this.hellos.values())
      wait.refused(new ParleyClientError('closed', 'The client closed'));
    this.channel?.close();
    this.channel = null;
  }

  private async connect(transportOptions: TransportOptions): Promise<Transport> {
    this.start(transportOptions);
    const hub = this.hub;
    if (hub) {
      await hub.ensureOpen();
      const view = new LocalView(newClientMsgId(), transportOptions.handlers, hub);
      hub.attachLocal(view.id, view.sink);
      return view;
    }
    return this.follow(transportOptions);
  }

  private start(transportOptions: TransportOptions): void {
    if (this.channel) return;
    const channel = new this.options.Channel(this.options.name);
    channel.onmessage = (event) => {
      if (isTabMessage(event.data)) this.receive(event.data);
    };
    this.channel = channel;
    const epoch = this.epoch;
    void this.options.locks
      .request(this.options.name, () =>
        epoch === this.epoch ? this.lead(transportOptions) : Promise.resolve(),
      )
      .catch(() => undefined);
  }

  /** Granted the lock: this tab owns the connection until its client closes or the tab goes. */
  private lead(transportOptions: TransportOptions): Promise<void> {
    const leaderId = this.tabId;
    this.hub = new TabHub({
      leaderId,
      open: (handlers) => this.options.inner({ ...transportOptions, handlers }),
      post: (message) => this.post(message),
      watch: (view, gone) => this.watch(view, gone),
      signedIn: (request, result) => this.options.signedIn(request as UpgradeRequest, result),
    });
    this.post({ t: 'leader', from: leaderId });
    const lost = { code: 1006, reason: 'connection_lost', message: 'The tab holding the connection left' };
    for (const view of [...this.views]) view.lose(lost);
    for (const wait of [...this.hellos.values()]) wait.leader();
    return new Promise<void>((resolve) => {
      this.releaseLock = resolve;
    });
  }

  /** A follower: say hello, and wait for the leader's welcome (bounded), or for this tab to lead. */
  private async follow(transportOptions: TransportOptions): Promise<Transport> {
    const viewId = newClientMsgId();
    await this.holdViewLock(viewId);
    if (this.hub) {
      // Granted the lock meanwhile: this tab leads.
      this.releaseView(viewId);
      return this.connect(transportOptions);
    }
    return new Promise<Transport>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        this.hellos.delete(viewId);
      };
      const fail = (error: ParleyClientError) => {
        settle();
        this.releaseView(viewId);
        reject(error);
      };
      const timer = setTimeout(
        () =>
          fail(
            new ParleyClientError(
              'connect_failed',
              `No tab holding the connection answered within ${this.options.helloTimeoutMs} ms`,
            ),
          ),
        this.options.helloTimeoutMs,
      );
      const hello = () => this.post({ t: 'hello', view: viewId });
      this.hellos.set(viewId, {
        welcome: (leader) => {
          settle();
          const view = new RemoteView(
            viewId,
            transportOptions.handlers,
            leader,
            (message) => this.post(message),
            (ended) => this.forget(ended),
          );
          this.views.add(view);
          resolve(view);
        },
        refused: fail,
        leader: () => {
          if (!this.hub) {
            hello();
            return;
          }
          settle();
          this.releaseView(viewId);
          this.connect(transportOptions).then(resolve, reject);
        },
      });
      hello();
    });
  }

  private receive(message: TabMessage): void {
    switch (message.t) {
      case 'hello':
      case 'req':
      case 'bye':
        this.hub?.onFollower(message);
        return;
      case 'leader':
        for (const view of [...this.views]) {
          if (view.leader !== message.from) {
            view.lose({
              code: 1006,
              reason: 'connection_lost',
              message: 'The tab holding the connection left',
            });
          }
        }
        for (const wait of [...this.hellos.values()]) wait.leader();
        return;
      case 'welcome':
        this.hellos.get(message.to)?.welcome(message.from);
        return;
      case 'refused':
        this.hellos.get(message.to)?.refused(fromWireError(message.error));
        return;
      case 'signed_in':
        if ([...this.views].some((view) => view.leader === message.from)) {
          this.options.signedIn(message.request as UpgradeRequest, message.result as UpgradeResult);
        }
        return;
      default:
        for (const view of [...this.views]) if (view.leader === message.from) view.receive(message);
    }
  }

  private forget(view: RemoteView): void {
    this.views.delete(view);
    this.releaseView(view.id);
  }

  private releaseView(viewId: string): void {
    this.viewLocks.get(viewId)?.();
    this.viewLocks.delete(viewId);
  }

  /** A lock of the view's own, held while the view lives: the browser lets it go when the tab closes. */
  private holdViewLock(viewId: string): Promise<void> {
    return new Promise<void>((granted) => {
      void this.options.locks
        .request(
          `${this.options.name}|view|${viewId}`,
          () =>
            new Promise<void>((release) => {
              this.viewLocks.set(viewId, release);
              granted();
            }),
        )
        .catch(() => granted());
    });
  }

  /** The leader waits for a follower view's lock: it is granted once the view (or its whole tab) is gone. */
  private watch(viewId: string, gone: () => void): void {
    const hub = this.hub;
    void this.options.locks
      .request(`${this.options.name}|view|${viewId}`, () => {
        if (this.hub === hub) gone();
        return Promise.resolve();
      })
      .catch(() => undefined);
  }

  private post(message: TabMessage): void {
    try {
      this.channel?.postMessage(message);
    } catch {
      // A channel closed under a tab that is going away: nobody is left to tell.
    }
  }
}

/**
 * The client's TabShare, or null when it connects on its own: the option is off, or the browser lacks Web Locks
 * or BroadcastChannel (Node, old browsers, some embedded views).
 */
export function tabShareFor(
  options: {
    url: string;
    app: number;
    credentials?: ClientCredentials;
    requestTimeoutMs: number;
    shareAcrossTabs?: boolean | TabSharingOptions;
  },
  inner: TransportFactory,
  signedIn: TabShareOptions['signedIn'],
): TabShare | null {
  const share = options.shareAcrossTabs;
  if (!share) return null;
  const given = share === true ? {} : share;
  const pieces = tabPieces(given);
  if (!pieces) return null;
  const scope = given.scope ?? credentialsScope(options.credentials ?? null);
  return new TabShare({
    ...pieces,
    name: tabChannelName(options.url, options.app, scope),
    inner,
    helloTimeoutMs: options.requestTimeoutMs,
    signedIn,
  });
}
