/**
 * Link previews in the engine, with a previewer the test controls: the send never waits for the fetch, the
 * node that committed the message fetches and every node's sessions hear `message_preview`, reads carry the
 * preview, an app can turn them off, a deleted message keeps none.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import type { LinkPreviewer, PreviewOutcome } from '../../src/engine/ports/linkPreviewer.js';
import { LogRecorder } from '../helpers/engine.js';
import { connect, engineCluster } from '../helpers/engineCluster.js';

const nodes = engineCluster();

/** A previewer whose answers the test gives, one link at a time. */
class HeldPreviewer implements LinkPreviewer {
  readonly asked: string[] = [];
  private readonly answers = new Map<string, (outcome: PreviewOutcome) => void>();
  private waiters: (() => void)[] = [];

  preview(url: string): Promise<PreviewOutcome> {
    this.asked.push(url);
    this.waiters.splice(0).forEach((wake) => wake());
    return new Promise((resolve) => this.answers.set(url, resolve));
  }

  /** Resolves once `n` links were asked for. */
  async askedFor(n: number): Promise<void> {
    while (this.asked.length < n) await new Promise<void>((wake) => this.waiters.push(wake));
  }

  answer(url: string, outcome: PreviewOutcome): void {
    this.answers.get(url)?.(outcome);
  }
}

const LINK = 'https://example.com/article';
const PREVIEW = { url: LINK, title: 'An article', siteName: 'Example' };

function messageOf(sent: Awaited<ReturnType<Awaited<ReturnType<typeof connect>>['session']['send']>>) {
  if (sent.kind !== 'message') throw new Error('expected a message');
  return sent.message;
}

describe('link previews in the engine', () => {
  it('[engine.previews.cluster] the committing node fetches; both nodes hear message_preview; reads carry it', async () => {
    const log = new LogRecorder();
    const previewers = [new HeldPreviewer(), new HeldPreviewer()];
    const [a, b] = (await nodes.start(2, (i) => ({
      logger: log.logger,
      ...(previewers[i] ? { linkPreviewer: previewers[i] } : {}),
    }))) as [Engine, Engine];
    const author = await connect(a, 'author');
    const reader = await connect(b, 'reader');
    await author.session.join('lobby');
    await reader.session.join('lobby');
    const sent = messageOf(await author.session.send('lobby', { text: `read ${LINK} now` }));
    // The ack came back, and the room heard the message, while the fetch still waits for its answer.
    expect(sent.preview).toBeUndefined();
    await reader.sink.next('message', (e) => e.message.id === sent.id);
    await previewers[0]?.askedFor(1);
    previewers[0]?.answer(LINK, { ok: true, preview: PREVIEW });
    const told = await reader.sink.next('message_preview');
    expect(told).toMatchObject({ room: { name: 'lobby' }, message: { id: sent.id, preview: PREVIEW } });
    expect((await author.sink.next('message_preview')).message.preview).toEqual(PREVIEW);
    expect(previewers[0]?.asked).toEqual([LINK]);
    expect(previewers[1]?.asked).toEqual([]);
    for (const session of [author.session, reader.session]) {
      const history = await session.history('lobby', {});
      expect(history.messages.find((m) => m.id === sent.id)?.preview).toEqual(PREVIEW);
    }
    const joined = await reader.session.join('lobby');
    expect(joined.messages.find((m) => m.id === sent.id)?.preview).toEqual(PREVIEW);
    expect(log.records.filter((r) => r.msg === 'bus message dropped')).toEqual([]);
  });

  it('[engine.previews.off] an app with previews off asks for none; a message without a link neither', async () => {
    const log = new LogRecorder();
    const previewer = new HeldPreviewer();
    const [a] = (await nodes.start(1, { logger: log.logger, linkPreviewer: previewer })) as [Engine];
    await a.updateApp(1, { settings: { linkPreviews: false } });
    const author = await connect(a, 'author');
    await author.session.join('lobby');
    const sent = messageOf(await author.session.send('lobby', { text: `off: ${LINK}` }));
    const skipped = await log.next('no link preview', (r) => r['messageId'] === sent.id);
    expect(skipped['failure']).toBe('off');
    await author.session.send('lobby', { text: 'no link at all, example.com is bare' });
    await a.updateApp(1, { settings: { linkPreviews: true } });
    const later = messageOf(await author.session.send('lobby', { text: 'https://example.com/later' }));
    await previewer.askedFor(1);
    expect(previewer.asked).toEqual(['https://example.com/later']);
    previewer.answer('https://example.com/later', { ok: false, failure: 'not_html' });
    const failed = await log.next('no link preview', (r) => r['messageId'] === later.id);
    expect(failed['failure']).toBe('not_html');
    expect(author.sink.of('message_preview')).toEqual([]);
  });

  it('[engine.previews.deleted] a message deleted before its preview came keeps none, and tells nothing', async () => {
    const previewer = new HeldPreviewer();
    const [a] = (await nodes.start(1, { linkPreviewer: previewer })) as [Engine];
    const author = await connect(a, 'author');
    await author.session.join('lobby');
    const sent = messageOf(await author.session.send('lobby', { text: LINK }));
    await previewer.askedFor(1);
    await author.session.remove('lobby', sent.id);
    previewer.answer(LINK, { ok: true, preview: PREVIEW });
    // A later message's preview is told; the deleted one's never was.
    const next = messageOf(await author.session.send('lobby', { text: 'https://example.com/next' }));
    await previewer.askedFor(2);
    previewer.answer('https://example.com/next', {
      ok: true,
      preview: { url: 'https://example.com/next', title: 'Next' },
    });
    expect((await author.sink.next('message_preview')).message.id).toBe(next.id);
    expect(author.sink.of('message_preview').map((e) => e.message.id)).toEqual([next.id]);
    const history = await author.session.history('lobby', {});
    expect(history.messages.find((m) => m.id === sent.id)?.preview).toBeUndefined();
  });
});
