export * from './rate-limit.settings';
export * from './rate-limit.guard';
export * from './rate-limit-window.repository';
export * from './install-rate-limit';
