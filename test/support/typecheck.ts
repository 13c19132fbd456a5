// Type-checks a generated design.ts together with a consumer that imports its typed tables.
import { Project } from 'ts-morph';

/** Type-checks a generated module together with a consumer that uses its types. */
export function typeCheckDesignModule(text: string): string[] {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { strict: true, noEmit: true } });
  project.createSourceFile('/design.ts', text);
  project.createSourceFile(
    '/use.ts',
    `import { cores, layers, memories, design, type CoreInfo } from './design';\n` +
      `const first: CoreInfo | undefined = cores[0];\n` +
      `const n: number = layers.length + memories.length + design.grid.rows + (first ? first.row : 0);\n` +
      `export { n };\n`,
  );
  return project.getPreEmitDiagnostics().map((d) => String(d.getMessageText()));
}
