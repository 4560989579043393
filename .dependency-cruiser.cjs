/* global module */
/**
 * The direction of every import in src/ (docs/architecture.md explains the layers). `npm run deps` checks it
 * and `npm test` runs it: a violation fails the build.
 */
/** The engine modules an edge (gateway, HTTP API) may see: its public interfaces, never its parts. */
const ENGINE_PUBLIC = '^src/engine/(api|events|ports/metrics)[.]ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles anywhere in src/.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-is-pure',
      comment: 'src/core imports nothing of Parley outside itself.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'engine-behind-ports',
      comment: 'The engine reaches storage, the bus and identity only through its ports, never the adapters.',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { path: '^src/(store|bus|auth|outbound|files|gateways|http|protocol|client|cli|config|server)' },
    },
    {
      name: 'adapters-not-edges',
      comment:
        'Adapters (store, bus, auth, outbound calls, file storage) implement engine ports; they never import gateways or http.',
      severity: 'error',
      from: { path: '^src/(store|bus|auth|outbound|files)/' },
      to: { path: '^src/(gateways|http|protocol|client|cli|server)' },
    },
    {
      name: 'edges-not-adapters',
      comment:
        'Gateways and http never import the adapters (store, bus, auth, outbound calls, file storage).',
      severity: 'error',
      from: { path: '^src/(gateways|http)/' },
      to: { path: '^src/(store|bus|auth|outbound|files)/' },
    },
    {
      name: 'edges-see-engine-interfaces',
      comment: 'Gateways and http reach the engine only through its public interfaces.',
      severity: 'error',
      from: { path: '^src/(gateways|http)/' },
      to: { path: '^src/engine/', pathNot: ENGINE_PUBLIC },
    },
    {
      name: 'protocol-stands-alone',
      comment: 'src/protocol is the wire: it imports nothing of Parley (it is to become a package).',
      severity: 'error',
      from: { path: '^src/protocol/' },
      to: { path: '^src/', pathNot: '^src/protocol/' },
    },
    {
      name: 'client-only-protocol',
      comment: 'The typed client imports nothing but src/protocol.',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { path: '^src/', pathNot: '^src/(client|protocol)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
