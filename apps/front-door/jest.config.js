module.exports = { ...require('../../jest.preset.js'), displayName: 'front-door', rootDir: __dirname };
