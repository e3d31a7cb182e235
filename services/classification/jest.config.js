module.exports = { ...require('../../jest.preset.js'), displayName: 'classification', rootDir: __dirname };
