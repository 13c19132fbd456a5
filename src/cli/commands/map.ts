// imcc map FILE [--json]: the tile mapping of a design (layer table, totals, grid picture) or its JSON.
import type { Command } from 'commander';
import { printJson, printText } from '../io.js';
import type { SetStatus } from './index.js';

export function registerMap(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('map')
    .description('map every weight layer onto crossbar tiles and place the cores on the grid')
    .argument('<file>', 'the .imc design (network and target)')
    .option('--json', 'print the mapping as JSON (schemas/mapping.schema.json)')
    .action(async (file: string, opts: { json?: boolean }) => {
      const { loadDesignForCli, withSources } = await import('../design.js');
      const { mapDesign } = await import('../../mapping/index.js');
      const { mappingJson, validateMappingJson } = await import('../../mapping/json.js');
      const { gridPicture, mappingTable } = await import('../../mapping/render.js');
      const { design, sources } = loadDesignForCli(file);
      const mapping = withSources(sources, () => mapDesign(design));
      if (opts.json) {
        const json = mappingJson(mapping, design);
        validateMappingJson(json);
        printJson(json);
        return;
      }
      printText(`${mappingTable(mapping, design)}\n\n${gridPicture(mapping)}`);
    });
}
