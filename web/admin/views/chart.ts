/**
 * <pa-chart>: one uPlot time-series chart that fills its container's width (a ResizeObserver follows it, down to
 * a phone's). The data is `[times in seconds, ...one array per series]`, as uPlot takes it; `data` is kept on
 * the element so that a test can read what is drawn.
 */
import { css, html, LitElement, unsafeCSS } from 'lit';
import uPlot from 'uplot';
import uPlotCss from 'uplot/dist/uPlot.min.css?inline';

export interface ChartSeries {
  label: string;
  color: string;
}

const HEIGHT = 180;

export class Chart extends LitElement {
  static override styles = [
    unsafeCSS(uPlotCss),
    css`
      :host {
        display: block;
        min-width: 0;
      }
      .plot {
        width: 100%;
        min-height: ${HEIGHT}px;
      }
      .u-legend {
        font-size: 12px;
        max-width: 100%;
        white-space: normal;
      }
      .u-title {
        font-size: 13px;
        font-weight: 600;
      }
    `,
  ];

  static override properties = {
    label: {},
    unit: {},
    series: { attribute: false },
    data: { attribute: false },
  };

  declare label: string;
  declare unit: string;
  declare series: ChartSeries[];
  declare data: uPlot.AlignedData;
  /** The drawn chart, once the element is on the page. */
  plot: uPlot | null = null;
  private resize: ResizeObserver | null = null;
  /** The series the chart was made with (a new array with the same series redraws nothing). */
  private drawn = '';

  private labels(): string {
    return this.series.map((s) => s.label).join('\n');
  }

  constructor() {
    super();
    this.label = '';
    this.unit = '';
    this.series = [];
    this.data = [[]];
  }

  override render() {
    return html`<div class="plot" role="img" aria-label=${this.label}></div>`;
  }

  override firstUpdated(): void {
    const target = this.renderRoot.querySelector<HTMLElement>('.plot');
    if (!target) return;
    this.draw(target);
    this.resize = new ResizeObserver(() => {
      if (this.plot && target.clientWidth > 0)
        this.plot.setSize({ width: target.clientWidth, height: HEIGHT });
    });
    this.resize.observe(target);
  }

  /** A new chart: uPlot fixes its series when it is made. */
  private draw(target: HTMLElement): void {
    this.plot?.destroy();
    this.drawn = this.labels();
    const unit = this.unit;
    this.plot = new uPlot(
      {
        title: this.label,
        width: Math.max(200, target.clientWidth),
        height: HEIGHT,
        scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [{}, { size: 72, values: (_u, ticks) => ticks.map((v) => `${+v.toFixed(2)}${unit}`) }],
        series: [{}, ...this.series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5 }))],
      },
      this.data,
      target,
    );
  }

  override updated(changed: Map<PropertyKey, unknown>): void {
    if (!this.plot) return;
    const target = this.renderRoot.querySelector<HTMLElement>('.plot');
    if (changed.has('series') && this.labels() !== this.drawn && target) this.draw(target);
    else if (changed.has('data')) this.plot.setData(this.data);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize?.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }
}
