export * from './identifiers';
export * from './service-database';
export * from './provision';
export * from './migrate';
export * from './schema-of';
export * from './notify-poll-loop';
export * from './after-commit';
export * from './group-commit';
