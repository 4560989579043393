/** The report's per-scenario detail sections. */
import type { CpuUse } from '../types.js';
import { disturbed, TARGETS } from '../types.js';
import { S3_TARGET_RATE } from '../config.js';
import { a1Table } from '../scenarios/a1.js';
import { s3pTable } from '../scenarios/s3pReport.js';
import { s1lTable } from '../scenarios/s1lReport.js';
import { s3rTable } from '../scenarios/s3r.js';
import { s3wTable } from '../scenarios/s3wReport.js';
import { s4sTable } from '../scenarios/s4sReport.js';
import { fmtBytes, lostCount, ms, table } from './format.js';
import type { BenchReport } from './types.js';

export function renderDetails(report: BenchReport): string[] {
  const { results } = report;
  const present = TARGETS.filter((t) => results[t]);
  const out: string[] = [];
  const cpu = (c: CpuUse) =>
    `${c.server}% / ${c.loadgen}%${c.saturated === 'neither' ? '' : ` (${c.saturated})`}` +
    (disturbed(c) ? ` ⚠ other ${c.other ?? 0}% steal ${c.steal ?? 0}%` : '');

  if (present.some((t) => results[t]?.S1)) {
    out.push('### S1 idle capacity');
    out.push('');
    out.push(
      table(
        [
          'Target',
          'Connections',
          'RSS/conn',
          'Heap/conn',
          'Rate',
          'Handshake p50/p99',
          'Ready p50/p99',
          'Pushes while connecting',
          'Settle',
          'CPU server/loadgen',
        ],
        present.flatMap((t) => {
          const s = results[t]?.S1;
          if (!s) return [];
          return [
            [
              t,
              `${s.connections}${s.failed ? ` (${s.failed} failed)` : ''}`,
              fmtBytes(s.rssPerConn),
              fmtBytes(s.heapPerConn),
              `${s.connectRatePerSec}/s`,
              `${ms(s.handshake.p50)} / ${ms(s.handshake.p99)} ms`,
              `${ms(s.ready.p50)} / ${ms(s.ready.p99)} ms`,
              String(s.eventsWhileConnecting),
              `${(s.settleMs / 1000).toFixed(1)} s`,
              cpu(s.cpu),
            ],
          ];
        }),
      ),
    );
    out.push('');
  }

  for (const t of present) {
    const s1 = results[t]?.S1;
    if (s1?.heap) {
      out.push(
        `Heap per idle connection of ${t} (heap snapshots before and after, difference by constructor, per connection: ` +
          `${s1.heap.totalBytes} bytes in all):`,
      );
      out.push('');
      out.push(
        table(
          ['Bytes', 'Count', 'What'],
          s1.heap.entries.slice(0, 15).map((e) => [e.bytes.toFixed(0), e.count.toFixed(2), e.key]),
        ),
      );
      out.push('');
    }
    if (s1?.profile) {
      out.push(`CPU profile of ${t} while the S1 connections were set up (${s1.profile.busyPct}% busy):`);
      out.push('');
      out.push(
        table(
          ['Self %', 'Function', 'Where'],
          s1.profile.top.slice(0, 12).map((e) => [e.selfPct.toFixed(1), e.name, e.where]),
        ),
      );
      out.push('');
    }
  }

  const sizes = new Set<number>();
  for (const t of present) for (const s of results[t]?.S2?.sizes ?? []) sizes.add(s.members);
  for (const members of [...sizes].sort((a, b) => a - b)) {
    out.push(`### S2 big-room fan-out, ${members} members`);
    out.push('');
    out.push(
      table(
        [
          'Target',
          'Offered/s',
          'Achieved/s',
          'p50',
          'p99',
          'p99.9',
          'Max',
          'Missing',
          'Dup',
          'CPU server/loadgen',
          'CPU µs/delivery server/loadgen',
          'Server ELD p99',
          'Pass',
        ],
        present.flatMap((t) => {
          const size = results[t]?.S2?.sizes.find((s) => s.members === members);
          return (size?.steps ?? []).map((s) => [
            t,
            String(s.offeredDeliveriesPerSec),
            String(s.achievedDeliveriesPerSec),
            ms(s.latency.p50),
            ms(s.latency.p99),
            ms(s.latency.p999),
            ms(s.latency.max),
            `${s.missing}${lostCount(s.disconnected) > 0 ? ` (${lostCount(s.disconnected)} disconnected)` : ''}`,
            String(s.duplicates),
            cpu(s.cpu),
            `${s.serverUsPerDelivery} / ${s.loadgenUsPerDelivery}`,
            `${ms(s.serverEldP99Ms)} ms`,
            s.pass ? 'yes' : 'no',
          ]);
        }),
      ),
    );
    out.push('');
    for (const t of present) {
      const size = results[t]?.S2?.sizes.find((s) => s.members === members);
      if (size) out.push(`- ${t}: knee ${size.knee ?? 'none'}/s, over it limited by: ${size.limitedBy}.`);
    }
    out.push('');
    for (const t of present) {
      const profile = results[t]?.S2?.sizes.find((s) => s.members === members)?.profile;
      if (!profile) continue;
      out.push(
        `CPU profile of ${t} at the first step over the knee (${profile.busyPct}% busy), top functions by self time:`,
      );
      out.push('');
      out.push(
        table(
          ['Self %', 'Function', 'Where'],
          profile.top.slice(0, 20).map((e) => [e.selfPct.toFixed(1), e.name, e.where]),
        ),
      );
      out.push('');
      out.push(
        `By group: ${profile.byGroup
          .slice(0, 12)
          .map((g) => `${g.group} ${g.selfPct}%`)
          .join(', ')}.`,
      );
      out.push('');
    }
  }

  if (present.some((t) => results[t]?.S3)) {
    out.push('### S3 chat shape');
    out.push('');
    out.push(
      table(
        [
          'Target',
          'Users',
          'Offered msg/s',
          'Committed/s',
          'Ack p50/p99',
          'Deliver p50/p99',
          'Deliveries/s',
          'Errors',
          'Missing',
          'CPU server/loadgen',
        ],
        present.flatMap((t) => {
          const s3 = results[t]?.S3;
          return (s3?.steps ?? []).map((s) => [
            t,
            String(s.users),
            String(s.rate),
            String(s.committedPerSec),
            `${ms(s.ack.p50)} / ${ms(s.ack.p99)} ms`,
            `${ms(s.deliver.p50)} / ${ms(s.deliver.p99)} ms`,
            String(s.deliveriesPerSec),
            Object.keys(s.errors).length ? JSON.stringify(s.errors) : '0',
            String(s.missing),
            cpu(s.cpu),
          ]);
        }),
      ),
    );
    out.push('');
  }

  const s3p = s3pTable(results, present);
  if (s3p) out.push('### S3P chat shape on PostgreSQL', '', table(s3p.header, s3p.rows), '');

  const s1l = s1lTable(results, present);
  if (s1l) out.push('### S1L large idle capacity', '', table(s1l.header, s1l.rows), '');

  const a1 = a1Table(results, present);
  if (a1) out.push('### A1 attack beside a chat load', '', table(a1.header, a1.rows), '');

  const s3r = s3rTable(results, present);
  if (s3r) out.push('### S3R chat with read markers and reactions', '', table(s3r.header, s3r.rows), '');

  const s3w = s3wTable(results, present);
  if (s3w) out.push('### S3W chat with webhooks on', '', table(s3w.header, s3w.rows), '');

  const s4s = s4sTable(results, present);
  if (s4s) out.push('### S4S bus routing on three nodes', '', table(s4s.header, s4s.rows), '');

  for (const [t, scenario] of present.flatMap((t) => (['S3', 'S3R'] as const).map((s) => [t, s] as const))) {
    const profile = results[t]?.[scenario]?.profile;
    if (!profile) continue;
    out.push(`CPU profile of ${t} in ${scenario} at ${S3_TARGET_RATE} msg/s (${profile.busyPct}% busy):`);
    out.push('');
    out.push(
      table(
        ['Self %', 'Function', 'Where'],
        profile.top.slice(0, 15).map((e) => [e.selfPct.toFixed(1), e.name, e.where]),
      ),
    );
    out.push('');
    out.push(
      `By group: ${profile.byGroup
        .slice(0, 12)
        .map((g) => `${g.group} ${g.selfPct}%`)
        .join(', ')}.`,
    );
    out.push('');
  }

  if (present.some((t) => results[t]?.S4)) {
    out.push('### S4 two nodes');
    out.push('');
    out.push(
      table(
        [
          'Target',
          'Store',
          'Members, msg/s',
          'One node p50/p99',
          'One node on PostgreSQL p50/p99',
          'Two nodes: same node p50/p99',
          'Two nodes: other node p50/p99',
          'Added p99',
          'CPU (two nodes) server/loadgen',
          'Note',
        ],
        present.flatMap((t) => {
          const s = results[t]?.S4;
          if (!s) return [];
          const pair = (l: { p50: number; p99: number } | undefined | null) =>
            l ? `${ms(l.p50)} / ${ms(l.p99)} ms` : '–';
          return [
            [
              t,
              s.store,
              `${s.members}, ${s.rate}`,
              pair(s.oneNode?.latency),
              pair(s.onePostgres?.latency),
              pair(s.twoNodes?.byGroup[0]),
              pair(s.twoNodes?.byGroup[1]),
              s.addedP99Ms === null ? '–' : `${ms(s.addedP99Ms)} ms`,
              s.twoNodes ? cpu(s.twoNodes.cpu) : '–',
              s.skipped ?? (s.twoNodes && s.twoNodes.missing > 0 ? `${s.twoNodes.missing} missing` : ''),
            ],
          ];
        }),
      ),
    );
    out.push('');
  }

  if (present.some((t) => results[t]?.S5)) {
    out.push('### S5 reconnect storm');
    out.push('');
    out.push(
      table(
        [
          'Target',
          'Client',
          'Clients',
          'Resumed',
          '50 % / 95 % / 100 %',
          'Gaps',
          'Duplicates',
          'Gap events',
          'Sent / acked',
          'Send errors',
          'CPU server/loadgen',
        ],
        present.flatMap((t) => {
          const s = results[t]?.S5;
          if (!s) return [];
          const sec = (v: number | null) => (v === null ? 'never' : `${(v / 1000).toFixed(1)} s`);
          return [
            [
              t,
              s.client,
              String(s.clients),
              `${s.resumed} (${s.resumedWithin10s})`,
              `${sec(s.t50Ms)} / ${sec(s.t95Ms)} / ${sec(s.t100Ms)}`,
              String(s.gaps),
              String(s.duplicates),
              String(s.gapEvents),
              String(s.missingAtUnresumed),
              `${s.sent} / ${s.acked}`,
              Object.keys(s.sendErrors).length ? JSON.stringify(s.sendErrors) : '0',
              cpu(s.cpu),
            ],
          ];
        }),
      ),
    );
    out.push('');
  }

  if (present.some((t) => results[t]?.S6)) {
    out.push('### S6 slow consumers');
    out.push('');
    out.push(
      table(
        [
          'Target',
          'Members (slow)',
          'msg/s, pad',
          'Healthy p99 before / during',
          'RSS start / peak / end',
          'Slow disconnected (close codes)',
          'Server count',
          'Missing (healthy)',
          'CPU server/loadgen',
        ],
        present.flatMap((t) => {
          const s = results[t]?.S6;
          if (!s) return [];
          return [
            [
              t,
              `${s.members} (${s.slowMembers})`,
              `${s.rate}, ${s.padChars} chars`,
              `${ms(s.healthyP99BeforeMs)} / ${ms(s.healthyP99DuringMs)} ms`,
              `${fmtBytes(s.rssStart)} / ${fmtBytes(s.rssPeak)} / ${fmtBytes(s.rssEnd)}`,
              `${s.step.slow?.closed ?? 0} (${JSON.stringify(s.step.slow?.closeCodes ?? {})})`,
              s.slowDisconnectedByServer === null ? '–' : String(s.slowDisconnectedByServer),
              String(s.step.missing),
              cpu(s.step.cpu),
            ],
          ];
        }),
      ),
    );
    out.push('');
  }

  out.push(
    `Seconds per scenario: ${present
      .map(
        (t) =>
          `${t} ${Object.entries(results[t]?.seconds ?? {})
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
      )
      .join('; ')}. CPU columns: server / load generator, percent of one core; ⚠ marks a window in which ` +
      'other processes or the hypervisor took a noticeable share of the two cores.',
  );
  out.push('');
  for (const t of present) {
    const errors = results[t]?.errors ?? [];
    if (errors.length > 0) {
      out.push(`Errors for ${t}:`);
      out.push('');
      for (const e of errors) out.push(`- ${e.split('\n')[0]}`);
      out.push('');
    }
  }
  return out;
}
