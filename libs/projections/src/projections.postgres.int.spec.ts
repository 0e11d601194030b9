import { postgresHarness } from './testing/harness';
import { describeProjections } from './testing/projections.suite';

describeProjections(postgresHarness());
