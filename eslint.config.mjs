import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import js from '@eslint/js';
import globals from 'globals';

export default [
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/.data',
      '**/.nx',
      'coverage',
      'deploy/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
      // The tools are plain ESM, linted below and type-checked by tools/tsconfig.json (checkJs).
      '!tools/*.mjs',
      '!tools/bench/*.mjs',
    ],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Services never import each other; shared code lives in libs (scope:shared).
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:registry', onlyDependOnLibsWithTags: ['scope:shared', 'scope:registry'] },
            { sourceTag: 'scope:survey', onlyDependOnLibsWithTags: ['scope:shared', 'scope:survey'] },
            {
              sourceTag: 'scope:classification',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:classification'],
            },
            {
              sourceTag: 'scope:notifications',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:notifications'],
            },
            { sourceTag: 'scope:front-door', onlyDependOnLibsWithTags: ['scope:shared', 'scope:front-door'] },
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['*'] },
            // The console bundles the shared libs that run in a browser (@kkb/instrument-rules).
            { sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['scope:shared'] },
            // Layers of the libs, bottom up (README, "Projects"): a lib uses only the layers below.
            { sourceTag: 'layer:base', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'layer:platform', onlyDependOnLibsWithTags: ['layer:base'] },
            { sourceTag: 'layer:messaging', onlyDependOnLibsWithTags: ['layer:base', 'layer:platform'] },
            {
              sourceTag: 'layer:feature',
              onlyDependOnLibsWithTags: ['layer:base', 'layer:platform', 'layer:messaging'],
            },
            {
              sourceTag: 'layer:app',
              onlyDependOnLibsWithTags: ['layer:base', 'layer:platform', 'layer:messaging', 'layer:feature'],
            },
            {
              sourceTag: 'layer:testing',
              onlyDependOnLibsWithTags: [
                'layer:base',
                'layer:platform',
                'layer:messaging',
                'layer:feature',
                'layer:app',
              ],
            },
          ],
        },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      // Config classes annotate `PORT: number = 3001` on purpose: decorator metadata needs the type.
      '@typescript-eslint/no-inferrable-types': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  // Console (apps/console): React in .ts/.tsx, typed by apps/console/tsconfig.json.
  {
    files: ['apps/console/**/*.ts', 'apps/console/**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
    },
  },
  {
    // Layering: controllers translate HTTP, services hold the use case, repositories hold all SQL
    // (taking the EntityManager they are given). Raw SQL and query builders anywhere else fail.
    files: ['services/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: [
      '**/*.repository.ts',
      '**/migrations/**',
      '**/*.migration.ts',
      '**/*.spec.ts',
      'libs/persistence/**',
      'libs/testing/**',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(query|createQueryBuilder)$/]',
          message: 'SQL belongs in a repository (*.repository.ts) that takes the EntityManager it is given',
        },
      ],
    },
  },
  // Tools (tools/*.mjs, tools/bench/*.mjs): plain ESM run by Node.
  {
    files: ['tools/*.mjs', 'tools/bench/*.mjs'],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.node },
    rules: {
      ...js.configs.recommended.rules,
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The console bench runs some of its functions in the page (Playwright sends their source).
  {
    files: ['tools/bench/console.bench.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  prettier,
];
