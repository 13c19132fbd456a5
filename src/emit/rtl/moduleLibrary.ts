// Content-addressed modules: a kind of module rendered per core (the neuron core; the controller is a static module
// instead, templates/rtl/imcc_controller.v.hbs) whose text is the same for several cores is emitted once, named by a
// hash of its text, so the generated set holds each distinct body once and Yosys
// synthesizes it once (src/verify/synth.ts plans a module several cores instantiate as one unit).
import { createHash } from 'node:crypto';

/** Renders a module's text: `module` is its name, `users` the cores that instantiate it (header comment only). */
export type ModuleRenderer = (module: string, users: readonly string[]) => string;

interface Entry {
  name: string;
  users: string[];
  render: ModuleRenderer;
}

/** Placeholder name while the text is hashed (the hash must not depend on the name it produces). */
const PLACEHOLDER = 'imcc_module_placeholder';

export class ModuleLibrary {
  private readonly byText = new Map<string, Entry>();

  /** `prefix`: the kind's name, e.g. `resnet32_neuron`; each module is `<prefix>_<8 hex digits>`. */
  constructor(private readonly prefix: string) {}

  /** The module `user` instantiates: an existing one with the same text, or a new one. */
  moduleFor(user: string, render: ModuleRenderer): string {
    const text = render(PLACEHOLDER, []);
    let entry = this.byText.get(text);
    if (!entry) {
      const name = `${this.prefix}_${createHash('sha256').update(text).digest('hex').slice(0, 8)}`;
      if ([...this.byText.values()].some((e) => e.name === name)) throw new Error(`RTL: two module texts hash to ${name}`);
      entry = { name, users: [], render };
      this.byText.set(text, entry);
    }
    entry.users.push(user);
    return entry.name;
  }

  /** Every distinct module: its name and final text (header naming every user), in order of first use. */
  modules(): Array<{ name: string; text: string }> {
    return [...this.byText.values()].map((e) => ({ name: e.name, text: e.render(e.name, e.users) }));
  }
}
