/**
 * The dashboard: this node's activity second by second (GET /api/v1/admin/stats), polled every second and kept
 * for the last five minutes here, drawn as live charts: connections, messages per second in and out, send→ack
 * and fan-out latency, event-loop delay, and the busiest rooms.
 */
import { css, html, nothing } from 'lit';
import type uPlot from 'uplot';
import type { StatsSample } from '../api.js';
import { AdminView } from '../view.js';
import type { ChartSeries } from './chart.js';

/** Five minutes of one-second samples. */
const KEPT = 300;
const POLL_MS = 1000;
/** Rooms drawn in the per-room chart: the busiest over the samples kept. */
const ROOMS_DRAWN = 5;

const COLORS = ['#4f46e5', '#0f9d58', '#e8710a', '#c4320a', '#0891b2'];

const series = (...labels: string[]): ChartSeries[] =>
  labels.map((label, i) => ({ label, color: COLORS[i % COLORS.length] ?? '#4f46e5' }));

const PERCENTILES = series('p50', 'p95', 'p99');

type Column = (s: StatsSample) => number | null;

export class DashboardView extends AdminView {
  static override styles = [
    ...AdminView.styles,
    css`
      .tiles {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(140px, 1fr));
        gap: 12px;
        margin-bottom: 16px;
      }
      .tile {
        background: var(--panel);
        border: 1px solid var(--border);
        border-radius: 12px;
        padding: 10px 14px;
      }
      .tile strong {
        font-size: 1.4em;
      }
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr));
        gap: 0 16px;
      }
    `,
  ];

  static override properties = {
    ...AdminView.properties,
    samples: { state: true },
    node: { state: true },
  };

  declare samples: StatsSample[];
  declare node: string;
  private timer: ReturnType<typeof setInterval> | null = null;
  private polling = false;

  constructor() {
    super();
    this.samples = [];
    this.node = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The stats are the node's, not the app's: loaded once, then polled. */
  async load(): Promise<void> {
    await this.poll();
  }

  private async poll(): Promise<void> {
    // One request at a time: a slow answer is not stacked behind by the next tick.
    if (this.polling || !this.api) return;
    this.polling = true;
    try {
      const last = this.samples[this.samples.length - 1]?.at;
      const page = await this.api.stats(last);
      this.node = page.node;
      if (page.samples.length > 0) this.samples = [...this.samples, ...page.samples].slice(-KEPT);
      if (this.status && !this.status.ok) this.status = null;
    } catch (err) {
      await this.run(() => Promise.reject(err));
    } finally {
      this.polling = false;
    }
  }

  private data(...columns: Column[]): uPlot.AlignedData {
    return [this.samples.map((s) => s.at / 1000), ...columns.map((c) => this.samples.map(c))];
  }

  /** The busiest rooms over the samples kept, by messages. */
  private busiest(): string[] {
    const totals = new Map<string, number>();
    for (const s of this.samples) {
      for (const r of s.topRooms) {
        const key = `${r.appId}/${r.room}`;
        totals.set(key, (totals.get(key) ?? 0) + r.messages);
      }
    }
    return [...totals.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, ROOMS_DRAWN)
      .map(([key]) => key);
  }

  private chart(id: string, label: string, unit: string, lines: ChartSeries[], data: uPlot.AlignedData) {
    return html`<pa-chart
      class="card"
      data-chart=${id}
      .label=${label}
      .unit=${unit}
      .series=${lines}
      .data=${data}
    ></pa-chart>`;
  }

  private tile(label: string, value: number | null, id: string, unit = '') {
    const shown = value === null ? '—' : `${value >= 100 ? Math.round(value) : +value.toFixed(1)}${unit}`;
    return html`<div class="tile" data-tile=${id}>
      <div class="muted">${label}</div>
      <strong>${shown}</strong>
    </div>`;
  }

  override render() {
    const now = this.samples[this.samples.length - 1];
    const rooms = this.busiest();
    const roomLines = rooms.map((key, i) => ({
      label: key.startsWith(`${this.app.id}/`) ? `#${key.slice(key.indexOf('/') + 1)}` : key,
      color: COLORS[i % COLORS.length] ?? '#4f46e5',
    }));
    const perRoom = rooms.map(
      (key): Column =>
        (s) =>
          s.topRooms.find((r) => `${r.appId}/${r.room}` === key)?.messages ?? 0,
    );
    const ms = (p: (s: StatsSample) => { p50: number; p95: number; p99: number } | null) => [
      (s: StatsSample) => p(s)?.p50 ?? null,
      (s: StatsSample) => p(s)?.p95 ?? null,
      (s: StatsSample) => p(s)?.p99 ?? null,
    ];
    return html`<div class="card">
        <h2>Dashboard <span class="pill">node ${this.node || '…'}</span></h2>
        <p class="muted">
          This node, second by second, for the last five minutes (the whole history stays in Prometheus at
          <code>/metrics</code>). ${this.samples.length} samples.
        </p>
        ${this.statusLine()}
      </div>
      ${
        now
          ? html`<div class="tiles">
              ${this.tile('Connections', now.connections, 'connections')}
              ${this.tile('Messages in /s', now.messagesInPerSecond, 'in')}
              ${this.tile('Messages out /s', now.messagesOutPerSecond, 'out')}
              ${this.tile('Send→ack p99', now.sendAckMs?.p99 ?? null, 'ack', ' ms')}
              ${this.tile('Event-loop delay p99', now.eventLoopDelayMs.p99, 'loop', ' ms')}
            </div>`
          : nothing
      }
      <div class="charts">
        ${this.chart(
          'connections',
          'Connections and live rooms',
          '',
          series('connections', 'rooms'),
          this.data(
            (s) => s.connections,
            (s) => s.rooms,
          ),
        )}
        ${this.chart(
          'messages',
          'Messages per second',
          '/s',
          series('in', 'out'),
          this.data(
            (s) => s.messagesInPerSecond,
            (s) => s.messagesOutPerSecond,
          ),
        )}
        ${this.chart('ack', 'Send→ack latency', ' ms', PERCENTILES, this.data(...ms((s) => s.sendAckMs)))}
        ${this.chart('fanout', 'Fan-out latency', ' ms', PERCENTILES, this.data(...ms((s) => s.fanoutMs)))}
        ${this.chart(
          'loop',
          'Event-loop delay',
          ' ms',
          series('p50', 'p99', 'max'),
          this.data(
            (s) => s.eventLoopDelayMs.p50,
            (s) => s.eventLoopDelayMs.p99,
            (s) => s.eventLoopDelayMs.max,
          ),
        )}
        ${this.chart('rooms', 'Busiest rooms (messages per second)', '/s', roomLines, this.data(...perRoom))}
      </div>`;
  }
}
