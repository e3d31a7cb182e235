module.exports = { ...require('../../jest.preset.js'), displayName: 'instrument-rules', rootDir: __dirname };
