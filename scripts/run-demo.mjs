#!/usr/bin/env node
/** `npm run demo`: installs and builds the workspace, then runs the demo tour (arguments pass through). */
import { installAndBuild, run } from './pnpm.mjs';

installAndBuild();
process.exit(run('node', ['apps/demo/dist/tour.js', ...process.argv.slice(2)]));
