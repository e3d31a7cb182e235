export * from './definition';
export * from './answers';
export * from './words';
