// `npm test`: every project's unit and integration tests in one Jest run.
module.exports = {
  projects: [
    '<rootDir>/libs/*/jest.config.js',
    '<rootDir>/services/*/jest.config.js',
    '<rootDir>/apps/*/jest.config.js',
    '<rootDir>/e2e/jest.config.js',
    '<rootDir>/tools/jest.config.js',
  ],
  // Global options are read from here, not from the projects.
  testTimeout: 60000,
};
