/**
 * @muskel/domain: the pure core of Muskel (DESIGN.md section 8).
 *
 * Commands, events and state of each stream (proposal, meeting, batch, household, user), with `decide` (command +
 * state -> events, or a rejection) and `evolve` (state + event -> state), and the checks of identity numbers.
 * Plain TypeScript only: no framework, no I/O, no clock, no randomness. Time, ids and the actor arrive as data in
 * the command; everything that talks to the outside world lives in other libs. ESLint (eslint.config.mjs) and
 * dependency-cruiser (.dependency-cruiser.cjs) enforce this boundary; see tools/domain-boundary.cjs.
 */
export {};
