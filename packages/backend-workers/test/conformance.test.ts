import { runConformance } from '@rectifier/conformance';
import { createWorkersBackend } from '../src/index.js';

// minSavingNs: 0 sends every call, down to one element, through the worker threads (two
// of them, so every call is split), so the suite's small cases exercise the chunked path. The
// second run is the default configuration, where those small cases run on the calling thread;
// it writes no accuracy report (the first one is this backend's).
runConformance('workers', () => createWorkersBackend({ threads: 2, minSavingNs: 0 }));
runConformance('workers-default', () => createWorkersBackend(), { reportDir: false });
