// Rendering of the dataflow's text (report, trace, sweep CSV) from Handlebars templates in templates/dataflow/.
// Same rules as src/emit/render.ts (strict: a missing field is an error; no HTML escaping; thin templates), kept
// here because the dataflow phase comes before emit and must not import it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

const templateDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates', 'dataflow');
const handlebars = Handlebars.create();
const cache = new Map<string, Handlebars.TemplateDelegate>();

/** Renders templates/dataflow/<name> with `context`. */
export function renderDataflowTemplate(name: string, context: object): string {
  let template = cache.get(name);
  if (!template) {
    template = handlebars.compile(readFileSync(join(templateDir, name), 'utf8'), { strict: true, noEscape: true });
    cache.set(name, template);
  }
  return template(context);
}
