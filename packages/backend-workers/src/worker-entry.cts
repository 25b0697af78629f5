/**
 * The file piscina's threads load (pool.ts names it): CommonJS that imports the ES-module worker
 * (worker.ts) and hands piscina a Promise of its task function, which piscina awaits before it
 * marks the thread ready (a documented piscina form), so a worker that fails to load still fails
 * `ready()`.
 *
 * Why not give piscina dist/worker.js itself: piscina loads its file with require() first and
 * falls back to import(). On Node ≥ 20.19 require() of an ES module is on by default, and on Node
 * 20.20 it now and then aborted the whole process (a native assertion in
 * ModuleWrap::CreateRequiredModuleFacade, seen in the packaging test). A CommonJS file is
 * required the classic way and the worker comes in by import(), which never takes that path.
 */
export = import('./worker.js').then((worker) => worker.default);
