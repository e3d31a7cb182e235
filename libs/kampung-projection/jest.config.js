module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'kampung-projection',
  rootDir: __dirname,
};
