// imcc map FILE [--json]: the tile mapping of a design (layer table, totals, grid picture) or its JSON.
import type { Command } from 'commander';
import { loadDesignForCli, withSources } from '../design.js';
import { printJson, printText } from '../io.js';
import { mapDesign } from '../../mapping/index.js';
import { mappingJson, validateMappingJson } from '../../mapping/json.js';
import { gridPicture, mappingTable } from '../../mapping/render.js';
import type { SetStatus } from './index.js';

export function registerMap(program: Command, setStatus: SetStatus): void {
  void setStatus;
  program
    .command('map')
    .description('map every weight layer onto crossbar tiles and place the cores on the grid')
    .argument('<file>', 'the .imc design (network and target)')
    .option('--json', 'print the mapping as JSON (schemas/mapping.schema.json)')
    .action((file: string, opts: { json?: boolean }) => {
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
