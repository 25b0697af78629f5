// The GPU check's Vitest config (scripts/gpu-check.sh copies it, with the package's own config,
// beside the deployed gpu.js backend): the package's config less the `@rectifier/source` condition,
// since the deployed workspace packages hold their built dist/ only.
import config from './vitest.config.ts';

export default { ...config, resolve: {}, ssr: {} };
