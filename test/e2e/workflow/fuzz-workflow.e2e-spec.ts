import { describeFuzz } from './fuzz-support';

describeFuzz('fuzz: workflow POST routes (proposals, meetings)', (key) => /^POST \/(proposals|meetings)/.test(key));
