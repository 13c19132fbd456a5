// Vega-Lite specifications rendered to SVG text in Node, synchronously, with no DOM: Vega builds the scenegraph and
// its string renderer serializes it (the same path as vega's own `view.toSVG()`, which is only asynchronous to wait
// for images, and charts here have none). Text widths come from Vega's built-in estimate when no canvas is
// installed, so the output is the same on every machine.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** The private fields of a View that give the rendered size, read the way vega-view's own renderHeadless does. */
interface ViewSize {
  _viewWidth: number;
  _viewHeight: number;
  _origin: [number, number];
}

/** vega-scenegraph's string renderer, which vega's type declarations leave out. */
type StringRendererClass = new (loader: unknown) => {
  initialize(el: null, width: number, height: number, origin: [number, number], scale: number): { background(colour: unknown): unknown };
  render(scene: unknown): void;
  svg(): string;
};

/**
 * Restarts the clip-path and gradient ids Vega numbers globally: call once before rendering the charts of one
 * document, so ids are unique within it (inline SVGs share the page's id namespace) and the same on every run.
 */
export function startSvgDocument(): void {
  vega.resetSVGDefIds();
}

/** One chart as an `<svg>` element. Throws when the specification is invalid (a bug in the report, not bad input). */
export function renderSvg(spec: TopLevelSpec): string {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none', logLevel: vega.Error });
  view.run();
  const size = view as unknown as ViewSize;
  // Vega resolves the padding to its four sides once the view has run.
  const padding = view.padding() as { left: number; right: number; top: number; bottom: number };
  const width = Math.max(0, size._viewWidth + padding.left + padding.right);
  const height = Math.max(0, size._viewHeight + padding.top + padding.bottom);
  const origin: [number, number] = [padding.left + size._origin[0], padding.top + size._origin[1]];
  const renderer = new (vega as unknown as { SVGStringRenderer: StringRendererClass }).SVGStringRenderer(view.loader());
  renderer.initialize(null, width, height, origin, 1).background(view.background());
  renderer.render((view.scenegraph() as unknown as { root: unknown }).root);
  const svg = renderer.svg();
  view.finalize();
  return withTitles(svg);
}

/**
 * Vega shows tooltips with JavaScript, which the page has none of; a `<title>` child is the browser's own hover text.
 * Each mark item's aria-label already lists its tooltip fields (escaped as an attribute, so valid as text too).
 */
export function withTitles(svg: string): string {
  return svg.replace(/<(path|line)( aria-label="([^"]*)"[^>]*?)\/>/g, '<$1$2><title>$3</title></$1>');
}
