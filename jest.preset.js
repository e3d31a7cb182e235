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

/**
 * Packages that ship ESM only (`"type": "module"`): Nest 12 and several of its dependencies.
 * CommonJS Jest cannot require() them, so @swc/jest transforms exactly these and nothing else
 * of node_modules. Found by scanning rather than listed, so an upgrade cannot silently break tests.
 */
function esmOnlyPackages() {
  const fs = require('node:fs');
  const nm = path.join(root, 'node_modules');
  const found = [];
  const scan = (dir, scope) => {
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith('.')) continue;
      if (!scope && name.startsWith('@')) {
        scan(path.join(dir, name), name);
        continue;
      }
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, name, 'package.json'), 'utf8'));
        if (pkg.type === 'module') found.push(scope ? `${scope}/${name}` : name);
      } catch {
        // not a package folder
      }
    }
  };
  scan(nm);
  return found.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}
const libs = [
  'contracts',
  'messaging',
  'persistence',
  'auth',
  'platform',
  'testing',
  'bootstrap',
  'kampung-projection',
  'instrument-rules',
];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.[tj]s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages().join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: Object.fromEntries(
    libs.map((l) => [`^@kkb/${l}$`, path.join(root, 'libs', l, 'src', 'index.ts')]),
  ),
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  globalSetup: path.join(root, 'tools', 'jest-global-setup.mjs'),
  globalTeardown: path.join(root, 'tools', 'jest-global-teardown.mjs'),
  testTimeout: 60000,
};
