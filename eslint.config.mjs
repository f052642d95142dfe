// @ts-check
// One lint configuration for the library, its tests, the JupyterLab extension, the benchmark and the
// build scripts: typescript-eslint's type-checked recommendations, with the few rules that are wrong
// for this code base turned off below, each with its reason. Formatting is Prettier's (`npm run format`).
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier/flat';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Build output, environments, run outputs, and what tools write (fixtures, the colormap tables, notebooks).
    ignores: [
      '**/dist/',
      '**/lib/',
      '.venv/',
      '.cache/',
      'output/',
      'test-artifacts/',
      'notebooks/',
      'test/fixtures/',
      'extension/losslens_extension/',
      'packages/protocol/src/colormapTables.ts',
      // The dependency checker's own configuration, in the CommonJS form it reads.
      '.dependency-cruiser.cjs',
    ],
  },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // Each folder's own tsconfig.json (src via the root one, test/, bench/, scripts/, extension/) gives the types.
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs', '*.ts'] }, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // tsc reports unused names already (noUnusedLocals/noUnusedParameters in every tsconfig); one report is enough.
      '@typescript-eslint/no-unused-vars': 'off',
      // Tensor shapes go into messages as `${shape}` ("1,28,28") on purpose; objects still may not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowArray: true }],
      // tfjs-node is loaded by require() where its load failure is turned into one clear error (src/tf.ts, tfProto.ts).
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^@tensorflow/tfjs-node(/|$)'] }],
    },
  },
  {
    // The CLI's launcher: plain CommonJS that loads the compiled CLI, so nothing to type-check.
    files: ['bin/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['extension/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  prettier,
);
