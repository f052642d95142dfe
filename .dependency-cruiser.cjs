/**
 * The library's one direction of dependency, checked by `npm run lint`: no import cycles, and
 * no module imports a layer above its own. Layers, lowest first; the utilities at the top of
 * src/ (tf, random, entries, statistics, format) may be imported from any layer and import none.
 */
const LAYERS = [
  'data',
  'transforms',
  'model',
  'training',
  'accounting',
  'settings',
  'identity',
  'results',
  'cache',
  'experiments',
  'studies',
  'display',
  'cli',
];

const above = (index) => `^src/(${LAYERS.slice(index + 1).join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'import cycles hide which module depends on which',
      from: {},
      to: { circular: true },
    },
    ...LAYERS.slice(0, -1).map((layer, index) => ({
      name: `${layer}-below-${LAYERS.slice(index + 1).join('-')}`,
      severity: 'error',
      comment: `src/${layer}/ is below ${LAYERS.slice(index + 1).join(', ')}: it must not import them`,
      from: { path: `^src/${layer}/` },
      to: { path: above(index) },
    })),
    {
      name: 'utilities-import-no-layer',
      severity: 'error',
      comment: 'the utilities at the top of src/ are used by every layer, so they import none',
      from: { path: '^src/(tf|random|entries|statistics|format)\\.ts$' },
      to: { path: `^src/(${LAYERS.join('|')})/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
  },
};
