import { describeFuzz } from './fuzz-support';

describeFuzz(
  'fuzz: the other POST routes (batches, registry, persons, policies, users, auth)',
  (key) => !/^POST \/(proposals|meetings)/.test(key),
);
