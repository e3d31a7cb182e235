export * from './kampung-projection.migration';
export * from './kampung-projection-coordinates.migration';
export * from './kampung-projection.handler';
export * from './kampung-projection.controller';
export * from './kampung-projection.module';
export * from './kampung-projection.repository';
