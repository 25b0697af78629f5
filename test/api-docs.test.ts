import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

describe('the API reference (TypeDoc, typedoc.json)', () => {
  it('builds from the TSDoc comments of every public package with no warning: every export documented, every type it names exported, every link valid', () => {
    // typedoc.json sets treatWarningsAsErrors: any warning fails the build, and the test with it.
    let output = '';
    try {
      output = execFileSync(process.execPath, [join(root, 'node_modules', 'typedoc', 'bin', 'typedoc')], {
        cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000,
      });
    } catch (e) {
      const { stdout, stderr } = e as { stdout?: string; stderr?: string };
      throw new Error(`TypeDoc failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
    }
    expect(output).not.toMatch(/\[warning\]/);
    expect(existsSync(join(root, 'docs', 'api', 'index.html'))).toBe(true);
  });
});
