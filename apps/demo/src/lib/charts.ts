/**
 * Vega-Lite specs → SVG with Vega's headless renderer (`view.toSVG()`); the same code runs in Node
 * (the report) and in the browser (the page).
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
