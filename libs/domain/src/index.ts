/**
 * @muskel/domain: the pure core of Muskel (DESIGN.md section 8).
 *
 * Commands, events and state of each stream, with `decide` (command + state -> events, or a DomainError) and
 * `evolve` (state + event -> state). Plain TypeScript only: no framework, no I/O, no clock, no randomness. Time,
 * ids and the actor arrive as data in the command. ESLint (eslint.config.mjs) and dependency-cruiser
 * (.dependency-cruiser.cjs) enforce this boundary; see tools/domain-boundary.cjs.
 */
export * from './domain-error';
export * from './domain-message';
export * from './regions/region-code';
export * from './access/roles';
export * from './access/segregation';
export * from './users/user.commands';
export * from './users/user.events';
export * from './users/user.decider';
export * from './users/user.queries';
export * from './users/user.validation';
export * from './identity';
export * from './meetings';
export * from './proposals';
export * from './batches';
export * from './households';
export * from './erasure';
export * from './cycle';
export * from './reference-lists';
