import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { startTestService, type TestRun, type TestService } from '@kkb/testing';
import { RegionImportService } from '../src/region/region-import.service';
import { IdnAreaDataSource, type RegionSource, type SourceRegion } from '../src/region/region-source';
import { registryService } from '../src/service';

/** Sumatera Selatan (16) and Lampung (18): enough of the real tree for most tests, fast to import. */
export const twoProvinces = () =>
  new IdnAreaDataSource((code) => code.startsWith('16') || code.startsWith('18'));

export class ListSource implements RegionSource {
  constructor(
    readonly name: string,
    private readonly rows: SourceRegion[],
  ) {}
  async load(): Promise<SourceRegion[]> {
    return this.rows;
  }
}

export interface Registry {
  svc: TestService;
  ds: DataSource;
  schema: string;
  importer: RegionImportService;
  counts(): Promise<{ kampung: number; outbox: number; audit: number; members: number }>;
}

export async function startRegistry(
  run: TestRun,
  source: RegionSource | null = twoProvinces(),
): Promise<Registry> {
  const svc = await startTestService(run, registryService);
  const ds = svc.app.get<DataSource>(getDataSourceToken());
  const schema = run.schema('registry');
  const importer = svc.app.get(RegionImportService);
  if (source) await importer.import(source);
  return {
    svc,
    ds,
    schema,
    importer,
    counts: async () => {
      const [r] = await ds.query(
        `SELECT (SELECT count(*)::int FROM "${schema}".kampung) AS kampung, (SELECT count(*)::int FROM "${schema}".outbox) AS outbox,
                (SELECT count(*)::int FROM "${schema}".kampung_audit) AS audit, (SELECT count(*)::int FROM "${schema}".pokja_member) AS members`,
      );
      return r;
    },
  };
}

export const seroja = {
  villageCode: '16.10.05.2041',
  name: 'Kampung KB Seroja',
  launchDate: '2017-04-26',
  description: 'Model kampung of Sumatera Selatan',
  latitude: -3.1234,
  longitude: 104.7654,
  selectionCriteria: ['bantaran_sungai', 'keluarga_miskin'],
  modelProvince: true,
  modelRegency: true,
  pokja: {
    skNumber: '140/12/SK/2017',
    skDate: '2017-03-01',
    skIssuer: 'kepala_desa',
    trained: true,
    members: [
      { name: 'Siti Aminah', position: 'Ketua' },
      { name: 'Budi Santoso', position: 'Sekretaris' },
      { name: 'Dewi Lestari', position: 'Anggota', seksi: 'reproduksi' },
    ],
  },
  fieldOfficer: { nip: '198705122010011003', name: 'Hendra Wijaya', contact: '+62 812 3456 7890' },
};
