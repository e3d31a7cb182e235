import type { ServiceCommand } from '@kkb/bootstrap';
import { RegionImportService } from './region/region-import.service';
import { IdnAreaDataSource } from './region/region-source';
import { describeSeed, SouthSumatraSeed } from './seed/south-sumatra.seed';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export const registryCommands: Record<string, ServiceCommand> = {
  'import-regions': {
    description: 'import or refresh the region tree from the installed idn-area-data package',
    run: async (app) => JSON.stringify(await app.get(RegionImportService).import(new IdnAreaDataSource())),
  },
  seed: {
    description:
      'regions plus a reproducible South Sumatra demo (--seed N, --share 0.15); villages that already have a kampung are skipped',
    run: async (app, args) => {
      const importer = app.get(RegionImportService);
      const regions = (await importer.isEmpty())
        ? JSON.stringify(await importer.import(new IdnAreaDataSource()))
        : 'regions already imported';
      const result = await app.get(SouthSumatraSeed).run({
        seed: option(args, 'seed') ? Number(option(args, 'seed')) : undefined,
        share: option(args, 'share') ? Number(option(args, 'share')) : undefined,
      });
      return `${regions}\n${describeSeed(result)}`;
    },
  },
};
