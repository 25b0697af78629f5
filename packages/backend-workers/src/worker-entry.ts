/**
 * The file every worker loads (a Node worker thread or a module Web Worker): serves the tasks with
 * worker.ts' kernels. An ES module in both: Node's Worker loads it as an entry point through the
 * ES-module loader, a page's bundler bundles it (platform/node.ts and platform/browser.ts name it).
 */
import runTask, { serveTasks } from './worker.js';

serveTasks(runTask);
