import { runConformance } from '@rectifier/conformance';
import { createCpuBackend } from '../src/index.js';

runConformance('cpu', () => createCpuBackend());
