/* global module */
/**
 * The import rules of src/ (see docs/architecture.md). Type-only imports count: a cycle through types is
 * still a cycle between modules.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No module may depend on itself through others.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-stands-alone',
      severity: 'error',
      comment: 'src/core imports nothing of Parley outside itself.',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'engine-knows-no-adapters',
      severity: 'error',
      comment: 'The engine reaches storage, the bus and identity only through its ports.',
      from: { path: '^src/engine/' },
      to: { path: '^src/(store|bus|auth|gateways|http|server)' },
    },
    {
      name: 'adapters-know-no-edges',
      severity: 'error',
      comment: 'Storage, bus and identity adapters never import gateways or http.',
      from: { path: '^src/(store|bus|auth)/' },
      to: { path: '^src/(gateways|http)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
