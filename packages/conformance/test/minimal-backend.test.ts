/**
 * The measure of the backend contract: a backend of relu and matmul alone (minimal-backend.ts)
 * passes the unchanged conformance suite — every section on what it declares, the FFN block and
 * statistics through BackendBase's defaults, and `UNSUPPORTED_OP` for every op it does not declare.
 */
import { runConformance } from '@rectifier/conformance';
import { MinimalBackend } from './minimal-backend.js';

runConformance('minimal', () => new MinimalBackend());
