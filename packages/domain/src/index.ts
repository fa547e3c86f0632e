export * from './actors.ts';
export * from './missed-offers.ts';
export * from './position.ts';
export * from './schemas.ts';
export * from './statuses.ts';
export * from './transitions.ts';
export * from './visibility.ts';
export * from './waiver.ts';
