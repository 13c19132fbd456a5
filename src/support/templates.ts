// Below every phase (it imports none), so the dataflow's reports use the same renderer as emit.
// Rendering of emitted text files from Handlebars templates in templates/. Strict mode (a missing field is an error,
// never an empty string) and no HTML escaping for Verilog, C++ and text; HTML templates (renderHtmlTemplate) escape
// every `{{field}}` and take ready markup only through `{{{field}}}`. Templates stay thin: every
// decision is made in TypeScript and handed over as plain fields and lists.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

const templateDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');
const handlebars = Handlebars.create();
const cache = new Map<string, Handlebars.TemplateDelegate>();
const htmlCache = new Map<string, Handlebars.TemplateDelegate>();

/** Absolute path of a template, e.g. `rtl/sram.v.hbs`. */
export function templatePath(name: string): string {
  return join(templateDir, name);
}

/** Renders templates/<name> with `context`. Throws when the template references a field the context lacks. */
export function renderTemplate(name: string, context: object): string {
  let template = cache.get(name);
  if (!template) {
    template = handlebars.compile(readFileSync(templatePath(name), 'utf8'), { strict: true, noEscape: true });
    cache.set(name, template);
  }
  return template(context);
}

/** Renders the HTML template templates/<name> with `context`, escaping every `{{field}}`. */
export function renderHtmlTemplate(name: string, context: object): string {
  let template = htmlCache.get(name);
  if (!template) {
    template = handlebars.compile(readFileSync(templatePath(name), 'utf8'), { strict: true });
    htmlCache.set(name, template);
  }
  return template(context);
}
