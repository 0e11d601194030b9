import { pgliteHarness } from './testing/harness';
import { describeProjections } from './testing/projections.suite';

describeProjections(pgliteHarness());
