// Unit tests of the console that need no browser: message catalogues, formatting, pure helpers.
// Runs in Node; .ts and .tsx go through @swc/jest (React's automatic runtime for .tsx).
const swc = (tsx) => [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', tsx },
      transform: tsx ? { react: { runtime: 'automatic' } } : undefined,
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

module.exports = {
  displayName: 'console',
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc(false), '^.+\\.tsx$': swc(true) },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  moduleNameMapper: {
    '^@kkb/instrument-rules$': '<rootDir>/../../libs/instrument-rules/src/index.ts',
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.spec.tsx'],
  testTimeout: 20000,
};
