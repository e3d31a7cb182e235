export * from './create-service-app';
export * from './service-definition';
export * from './service-runtime';
export * from './cli';
export * from './pool-metrics';
export * from './rate-limit';
