export * from './capacity.ts';
export * from './estimate.ts';
export * from './order.ts';
export * from './position.ts';
export * from './reassign.ts';
export * from './rounds.ts';
export * from './stranded.ts';
export * from './waiting.ts';
