/**
 * The docs match the code: every ```ts block in the READMEs runs as written (from the README's own
 * folder, against the workspace packages; templates that are not meant to run use ```typescript),
 * and the root README's op table lists every op with its defaults.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderBadInputTable } from '@rectifier/conformance';
import { OP_NAMES, OPS } from '@rectifier/core';
import { afterAll, describe, expect, it, vi } from 'vitest';

const root = join(import.meta.dirname, '..');
const readmes = [
  'README.md', 'packages/core/README.md', 'packages/backend-cpu/README.md', 'packages/backend-workers/README.md',
  'packages/backend-gpujs/README.md', 'packages/conformance/README.md', 'packages/onnx/README.md',
  'packages/tfjs/README.md', 'apps/demo/README.md',
];
const written: string[] = [];
afterAll(() => written.forEach((f) => rmSync(f, { force: true })));

function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe('README examples run', () => {
  for (const readme of readmes) {
    const blocks = tsBlocks(readFileSync(join(root, readme), 'utf8'));
    blocks.forEach((code, i) => {
      it(`${readme} example ${i + 1}`, async () => {
        const file = join(root, dirname(readme), `.readme-example-${i + 1}.ts`);
        written.push(file);
        writeFileSync(file, `${code}\nexport {};\n`);
        const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
        try {
          await import(pathToFileURL(file).href);
        } finally {
          log.mockRestore();
        }
      });
    });
  }
});

describe('README op table', () => {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  it('has a row for every op, with its inputs and every default', () => {
    for (const name of OP_NAMES) {
      const row = text.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
      expect(row, `README row for ${name}`).toBeDefined();
      const def = OPS[name];
      expect(row).toContain(`| ${def.inputs.join(', ')} |`);
      expect(row).toContain(`| ${def.accuracy} |`);
      for (const p of def.params) {
        const shown = p.default === undefined ? p.name : `${p.name}=${typeof p.default === 'string' ? `'${p.default}'` : p.default}`;
        expect(row, `${name} parameter ${p.name}`).toContain(shown);
      }
    }
  });
});

describe('the bad-input table (docs/bad-input.md)', () => {
  it('is exactly renderBadInputTable() (the rows the conformance suite runs on every backend)', () => {
    const text = readFileSync(join(root, 'docs', 'bad-input.md'), 'utf8');
    const start = '<!-- bad-input:start -->';
    const end = '<!-- bad-input:end -->';
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    expect(from, `docs/bad-input.md has ${start}`).toBeGreaterThanOrEqual(0);
    expect(to, `docs/bad-input.md has ${end} after ${start}`).toBeGreaterThan(from);
    expect(text.indexOf(start, from + 1), `one ${start} only`).toBe(-1);
    expect(text.slice(from + start.length, to)).toBe(`\n${renderBadInputTable()}\n`);
  });
});
