// Shared Jest settings. Nest 12 ships ESM only, so @swc/jest also transforms
// node_modules/@nestjs (CommonJS jest cannot require() it otherwise).
const path = require('node:path');

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const root = __dirname;
const libs = ['contracts', 'messaging', 'persistence', 'auth', 'platform', 'testing', 'bootstrap', 'kampung-projection'];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.[tj]s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|cookie)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: Object.fromEntries(
    libs.map((l) => [`^@kkb/${l}$`, path.join(root, 'libs', l, 'src', 'index.ts')]),
  ),
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  globalSetup: path.join(root, 'tools', 'jest-global-setup.mjs'),
  globalTeardown: path.join(root, 'tools', 'jest-global-teardown.mjs'),
  testTimeout: 60000,
};
