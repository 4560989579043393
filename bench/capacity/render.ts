/** The capacity model's output as markdown: the unit costs and their sources, the workload, the plans, the saturation order. */
import { fmtBytes, table } from '../report/format.js';
import {
  plan,
  saturationPoints,
  type BusRouting,
  type Limits,
  type NodeShape,
  type Plan,
  type Workload,
} from './model.js';
import { valuesOf, type UnitCosts, type UnitName } from './units.js';

const UNIT_LABELS: Record<UnitName, [string, (v: number) => string]> = {
  memPerConnBytes: ['Memory per idle connection', (v) => fmtBytes(v)],
  baseRssBytes: ['Memory of a process with no client', (v) => fmtBytes(v)],
  usPerConnect: ['CPU per connection set up (handshake, auth, join)', (v) => `${v} µs`],
  usPerDelivery: ['CPU per delivery', (v) => `${v} µs`],
  usPerPersisted: ['CPU per persisted message (received, stored, acked; deliveries apart)', (v) => `${v} µs`],
  sqliteMaxPersistedPerSec: ['Highest persisted rate, SQLite', (v) => `${num(v)} msg/s`],
  sqliteRateWithinBound: ['Highest S3 rate within its ack p99 bound, SQLite', (v) => `${num(v)} msg/s`],
  postgresCpuFactor: ['Process CPU on PostgreSQL over SQLite', (v) => `${v}×`],
  postgresMaxPersistedPerSec: ['Highest persisted rate, PostgreSQL', (v) => `${num(v)} msg/s`],
  usPerBusMessage: ['CPU per bus message received', (v) => `${v} µs`],
  resumesPerSec: ['Clients resumed per second after a cut', (v) => `${num(v)}/s`],
};

export function num(v: number): string {
  if (v >= 100 || Number.isInteger(v)) return Math.round(v).toLocaleString('en-US');
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

const pct = (share: number | undefined) => (share === undefined ? '–' : `${Math.round(share * 100)} %`);
const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

export function renderUnits(units: UnitCosts): string {
  return table(
    ['Unit cost (per core)', 'Value', 'Measured', 'Where from'],
    (Object.keys(UNIT_LABELS) as UnitName[]).map((name) => {
      const [label, fmt] = UNIT_LABELS[name];
      const unit = units[name];
      return [label, fmt(unit.value), unit.measured ? 'yes' : '**no**', unit.source];
    }),
  );
}

export function renderWorkload(w: Omit<Workload, 'users'>, limits: Limits): string[] {
  return [
    `- ${num(w.messagesPerUserPerSec * 60)} messages per user per minute (one every ${num(1 / w.messagesPerUserPerSec)} s), ${w.connectionsPerUser} connection per user, connections lasting ${num(w.sessionSeconds / 60)} min on average;`,
    `- rooms of ${num(w.roomMembers)} members, ${pct(w.onlineShare)} of a room's members online at a time; ${pct(w.largeRoomMessageShare)} of the messages go to large rooms of ${num(w.largeRoomMembers)} members; each user joins ${w.roomsPerUser} rooms;`,
    `- ${w.storedBytesPerMessage} bytes per stored message in PostgreSQL, indexes included (a 100-character message);`,
    `- one Parley process per core, each at most ${pct(limits.cpuTarget)} busy and holding at most ${num(limits.maxConnectionsPerProcess)} connections; processes using at most ${pct(limits.memTarget)} of a node's RAM;`,
    `- Redis passes ${num(limits.redisMaxPerSec)} pub/sub messages per second (in and out) on its one core; PostgreSQL allows ${limits.pgMaxConnections} connections, ${limits.pgPoolPerProcess} per Parley process.`,
  ];
}

/** An unsized plan's shared figures are those of the largest deployment tried: not worth printing. */
function redisCell(p: Plan): string {
  if (p.nodes === null) return 'no deployment fits';
  if (!p.redis) return '– (one process)';
  return `${num(p.redis.inPerSec)} / ${num(p.redis.outPerSec)} (${pct(p.utilisation.Redis)})`;
}

function connections(p: Plan): string {
  if (p.nodes === null || !p.postgres) return '–';
  return `${num(p.postgres.connections)} (${pct(p.utilisation['PostgreSQL connections'])})`;
}

function planRow(users: number, p: Plan): string[] {
  const cpu = p.perProcess.cpuUs;
  const share = (us: number) => Math.round(us / 1e4);
  return [
    num(users),
    `${p.node.cores} cores, ${p.node.ramGiB} GiB`,
    p.routing === 'all' ? 'all-to-all' : 'per room',
    p.nodes === null ? '**none fits**' : `${num(p.nodes)} (${num(p.processes)} processes)`,
    `${share(cpu.total)} % (deliveries ${share(cpu.deliveries)}, persist ${share(cpu.persist)}, connects ${share(cpu.connects)}, bus ${share(cpu.bus)})`,
    p.nodes === null ? '–' : `${num(p.perProcess.connections)}; ${gb(p.nodeRssBytes)}/node`,
    p.nodes === null
      ? '–'
      : p.redis
        ? `${num(p.redis.inPerSec)} / ${num(p.redis.outPerSec)}`
        : '– (one process)',
    p.nodes === null
      ? `process CPU: the bus alone takes ${share(cpu.bus)} % of a core in each process`
      : `${p.bottleneck} (${pct(p.utilisation[p.bottleneck])})`,
  ];
}

export interface Scenario {
  users: number[];
  nodes: NodeShape[];
  routings: BusRouting[];
  workload: Omit<Workload, 'users'>;
  limits: Limits;
}

export function renderPlans(units: UnitCosts, s: Scenario): string[] {
  const values = valuesOf(units);
  const out: string[] = [];
  const rows: string[][] = [];
  for (const users of s.users) {
    for (const node of s.nodes) {
      for (const routing of s.routings) {
        const workload = { ...s.workload, users };
        rows.push(
          planRow(
            users,
            plan({ units: values, workload, node, store: 'postgres', routing, limits: s.limits }),
          ),
        );
      }
    }
  }
  out.push('### Nodes (PostgreSQL, Redis between the processes)', '');
  out.push(
    table(
      [
        'Users',
        'Node',
        'Bus',
        'Nodes',
        'CPU per process',
        'Connections per process',
        'Redis in / out per s',
        'Closest to its limit',
      ],
      rows,
    ),
  );
  out.push('');
  out.push('### PostgreSQL and Redis', '');
  const shared: string[][] = s.users.map((users) => {
    const workload = { ...s.workload, users };
    const node = s.nodes[0] as NodeShape;
    const all = plan({ units: values, workload, node, store: 'postgres', routing: 'all', limits: s.limits });
    const room = plan({
      units: values,
      workload,
      node,
      store: 'postgres',
      routing: 'room',
      limits: s.limits,
    });
    const pg = all.postgres;
    return [
      num(users),
      `${num(all.traffic.messagesPerSec)} msg/s, ${num(all.traffic.deliveriesPerSec)} deliveries/s`,
      pg ? `${num(pg.writesPerSec)}/s (${pct(all.utilisation['PostgreSQL writes'])})` : '–',
      pg ? gb(pg.storagePerDayBytes) : '–',
      connections(room),
      redisCell(all),
      redisCell(room),
    ];
  });
  out.push(
    table(
      [
        'Users',
        'Load',
        'PostgreSQL writes',
        'Storage per day',
        `PostgreSQL connections (${s.nodes[0]?.cores ?? '?'}-core nodes, per-room bus)`,
        'Redis in / out, all-to-all',
        'Redis in / out, per room',
      ],
      shared,
    ),
  );
  out.push('');
  out.push('### One process on SQLite', '');
  out.push(
    table(
      ['Users', 'Fits', 'CPU', 'SQLite writer', 'Memory'],
      s.users.map((users) => {
        const node = { cores: 1, ramGiB: s.nodes[0]?.ramGiB ?? 24 };
        const p = plan({
          units: values,
          workload: { ...s.workload, users },
          node,
          store: 'sqlite',
          routing: 'all',
          limits: s.limits,
        });
        return [
          num(users),
          p.nodes === null ? `**no**: ${p.bottleneck}` : 'yes',
          pct(p.utilisation['process CPU']),
          pct(p.utilisation['SQLite writer']),
          gb(p.nodeRssBytes),
        ];
      }),
    ),
  );
  out.push('');
  out.push('### Saturation order', '');
  out.push(
    `Users at which each shared component reaches its limit, the workload's other figures held (${s.nodes[0]?.cores ?? '?'}-core nodes; "nodes": no number of nodes fits, each process's share of the bus alone fills it).`,
    '',
  );
  const order = (routing: BusRouting) =>
    saturationPoints({
      units: values,
      workload: { ...s.workload, users: 1 },
      node: s.nodes[0] as NodeShape,
      store: 'postgres',
      routing,
      limits: s.limits,
    })
      .map((x) => `${x.component} at ${x.users === null ? 'over 1e9' : num(x.users)}`)
      .join(', then ');
  out.push(`- All-to-all bus: ${order('all')}.`);
  out.push(`- Per-room bus: ${order('room')}.`);
  const sqlite = saturationPoints({
    units: values,
    workload: { ...s.workload, users: 1 },
    node: { cores: 1, ramGiB: s.nodes[0]?.ramGiB ?? 24 },
    store: 'sqlite',
    routing: 'all',
    limits: s.limits,
  })
    .map((x) => `${x.component} at ${x.users === null ? 'over 1e9' : num(x.users)}`)
    .join(', then ');
  out.push(`- One process on SQLite: ${sqlite}.`);
  out.push('');
  return out;
}
