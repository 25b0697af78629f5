/**
 * The conformance suite in Chromium (vitest.browser.config.ts): the workers backend on module Web
 * Workers in a cross-origin isolated page, the same tests as test/conformance.test.ts in Node. Two
 * workers and minSavingNs 0, as the Node run's reporting configuration: every call, down to one
 * element, is split across the workers. Its reports go to
 * reports/run/{accuracy,reliability}/workers-chromium.json through the Vitest server.
 */
import { runConformance } from '@rectifier/conformance';
import { createWorkersBackend } from '../src/index.js';
import { chromiumMissing, skipWithoutChromium } from './chromium.js';

if (chromiumMissing !== undefined) skipWithoutChromium('runs the conformance suite on the workers backend in Chromium');
else runConformance('workers-chromium', () => createWorkersBackend({ threads: 2, minSavingNs: 0 }));
