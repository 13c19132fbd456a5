// Content-addressed modules: cores whose module text is equal share one module, named by a hash of the text.
import { describe, expect, it } from 'vitest';
import { ModuleLibrary } from '../../../src/emit/rtl/moduleLibrary.js';

/** A module whose body depends on `width` only; its header names the users. */
const render = (width: number) => (module: string, users: readonly string[]): string =>
  `// used by ${users.join(', ')}\nmodule ${module} (input wire [${width}-1:0] a_i);\nendmodule\n`;

describe('ModuleLibrary', () => {
  it('gives cores with equal texts one module whose header lists them, and a different text its own module', () => {
    const library = new ModuleLibrary('net_controller');
    const a = library.moduleFor('c00', render(8));
    const b = library.moduleFor('c01', render(4));
    const c = library.moduleFor('c02', render(8));
    expect(a).toBe(c);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^net_controller_[0-9a-f]{8}$/);
    const modules = library.modules();
    expect(modules.map((m) => m.name)).toEqual([a, b]);
    expect(modules[0].text).toBe(`// used by c00, c02\nmodule ${a} (input wire [8-1:0] a_i);\nendmodule\n`);
    expect(modules[1].text).toContain(`// used by c01\nmodule ${b} `);
  });

  it('names a module by its text alone: the same in another library, whichever core comes first', () => {
    const first = new ModuleLibrary('net_neuron');
    const second = new ModuleLibrary('net_neuron');
    second.moduleFor('c07', render(4));
    expect(first.moduleFor('c03', render(8))).toBe(second.moduleFor('c09', render(8)));
  });
});
