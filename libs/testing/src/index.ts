export * from './test-run';
export * from './eventually';
export * from './test-service';
export * from './nats-cluster';
export * from './service-process';
export * from './test-tracing';
export * from './problem-of';
