import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Role, type Principal } from '@kkb/auth';
import type { SelectionCriterion, Seksi, SkIssuer } from '../kampung/code-lists';
import { SEKSI_CODES, SELECTION_CRITERIA_CODES } from '../kampung/code-lists';
import { KampungService } from '../kampung/kampung.service';
import type { RegisterKampungDto } from '../kampung/register-kampung.dto';
import { pick, prng, sample } from './prng';
import { ProblemException } from '@kkb/platform';
import { demoCoordinates, SEROJA_COORDINATES } from './coordinates';
import { SeedRepository } from './seed.repository';

const FLOWERS = [
  'Seroja',
  'Mawar',
  'Melati',
  'Anggrek',
  'Kenanga',
  'Cempaka',
  'Teratai',
  'Dahlia',
  'Kamboja',
  'Tulip',
  'Sakura',
  'Bougenville',
  'Asoka',
  'Flamboyan',
  'Lavender',
  'Matahari',
];
const GIVEN = [
  'Siti',
  'Nur',
  'Dewi',
  'Sri',
  'Rina',
  'Yuli',
  'Ani',
  'Lestari',
  'Budi',
  'Agus',
  'Hendra',
  'Joko',
  'Rahmat',
  'Fitri',
  'Wati',
  'Eko',
  'Ahmad',
  'Yanti',
  'Rudi',
  'Indah',
];
const FAMILY = [
  'Aminah',
  'Rahayu',
  'Santoso',
  'Wijaya',
  'Hidayat',
  'Saputra',
  'Lestari',
  'Susanti',
  'Pratama',
  'Kurniawan',
  'Handayani',
  'Setiawan',
  'Marlina',
  'Syahputra',
];
const POSITIONS = ['Ketua', 'Sekretaris', 'Bendahara', 'Anggota'];
const ISSUERS: SkIssuer[] = ['kepala_desa', 'kepala_desa', 'kepala_desa', 'camat', 'bupati_walikota'];

export interface SeedResult {
  province: string;
  villages: number;
  registered: number;
  /** Villages of the plan skipped because they already have an active Kampung KB. */
  alreadyThere: number;
  /** Their codes (the first 5). */
  skippedVillages: string[];
  /** Model flags left off because the regency or province already has an active model kampung. */
  modelFlagsDropped: number;
  /** Registrations refused for another reason (logged, the seed goes on). */
  failed: number;
}

/** What the seed command prints: one sentence a person can read. */
export function describeSeed(r: SeedResult): string {
  const parts = [`South Sumatra seed: ${r.registered} kampung registered`];
  if (r.alreadyThere) {
    const more = r.alreadyThere > r.skippedVillages.length ? ', ...' : '';
    parts.push(
      `${r.alreadyThere} village${r.alreadyThere === 1 ? '' : 's'} skipped (already a Kampung KB: ${r.skippedVillages.join(', ')}${more})`,
    );
  }
  if (r.modelFlagsDropped)
    parts.push(`${r.modelFlagsDropped} model flag(s) left off (a model kampung exists)`);
  if (r.failed) parts.push(`${r.failed} refused (see the log above)`);
  return `${parts.join('; ')}; ${r.villages} villages in province ${r.province}`;
}

const SEED_ACTOR: Principal = {
  sub: 'seed:south-sumatra',
  name: 'Demo seed',
  role: Role.national,
  scope: '',
};

/**
 * A realistic Sumatera Selatan: Kampung KB Seroja in Desa Sembadak (16.10.05.2041, Ogan Ilir) as
 * the province's model kampung, and kampung spread over the 17 regencies and cities in proportion
 * to their villages, about 15% of villages as in 2022, each with plausible coordinates. The same
 * seed gives the same kampung; re-running adds only what is missing. A village that already has a
 * Kampung KB (registered by hand, or by an earlier run) is skipped, a model flag already held is
 * left off, and a refused registration is logged and skipped: the seed never stops half-way.
 * Everything goes through the register, events included.
 */
@Injectable()
export class SouthSumatraSeed {
  private readonly logger = new Logger(SouthSumatraSeed.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly kampung: KampungService,
    private readonly repository: SeedRepository,
  ) {}

  async run(opts: { seed?: number; share?: number } = {}): Promise<SeedResult> {
    const rand = prng(opts.seed ?? 2022);
    const share = opts.share ?? 0.15;
    const villages = await this.repository.villages(this.ds.manager);
    if (!villages.length)
      throw new Error('no villages of province 16: import the regions first (import-regions)');
    const taken = new Set<string>(await this.repository.takenVillages(this.ds.manager));
    const byRegency = new Map<string, typeof villages>();
    for (const v of villages)
      byRegency.set(v.code.slice(0, 5), [...(byRegency.get(v.code.slice(0, 5)) ?? []), v]);

    const plan: RegisterKampungDto[] = [
      this.dto(rand, { code: '16.10.05.2041', name: 'Sembadak' }, 'Kampung KB Seroja', {
        modelProvince: true,
        modelRegency: true,
        launchDate: '2017-04-26',
        ...SEROJA_COORDINATES,
      }),
    ];
    for (const [regency, list] of byRegency) {
      const want = Math.max(1, Math.round(list.length * share)) - (regency === '16.10' ? 1 : 0);
      const chosen = sample(
        rand,
        list.filter((v) => v.code !== '16.10.05.2041'),
        want,
      );
      chosen.forEach((v, i) => {
        const flower = pick(rand, FLOWERS);
        plan.push(
          this.dto(rand, v, `Kampung KB ${flower} ${v.name}`, {
            modelRegency: i === 0 && regency !== '16.10',
          }),
        );
      });
    }
    const models = await this.repository.models(this.ds.manager);
    const modelRegencies = new Set(models.map((m) => m.regency).filter((r): r is string => !!r));
    let modelProvince = models.some((m) => m.province);

    const result: SeedResult = {
      province: '16',
      villages: villages.length,
      registered: 0,
      alreadyThere: 0,
      skippedVillages: [],
      modelFlagsDropped: 0,
      failed: 0,
    };
    const skip = (village: string) => {
      result.alreadyThere++;
      if (result.skippedVillages.length < 5) result.skippedVillages.push(village);
    };
    for (const dto of plan) {
      if (taken.has(dto.villageCode)) {
        skip(dto.villageCode);
        continue;
      }
      if (dto.modelRegency && modelRegencies.has(dto.villageCode.slice(0, 5))) {
        dto.modelRegency = false;
        result.modelFlagsDropped++;
      }
      if (dto.modelProvince && modelProvince) {
        dto.modelProvince = false;
        result.modelFlagsDropped++;
      }
      const flags = Number(!!dto.modelRegency) + Number(!!dto.modelProvince);
      const outcome = await this.register(dto);
      result.modelFlagsDropped += flags - Number(!!dto.modelRegency) - Number(!!dto.modelProvince);
      if (outcome === 'registered') {
        result.registered++;
        if (dto.modelRegency) modelRegencies.add(dto.villageCode.slice(0, 5));
        if (dto.modelProvince) modelProvince = true;
      } else if (outcome === 'taken') skip(dto.villageCode);
      else result.failed++;
    }
    this.logger.log(result, 'South Sumatra seeded');
    return result;
  }

  /**
   * Registers one kampung. Someone may have registered in the village, or taken a model flag,
   * since the plan was made: the village is then skipped, the flag left off.
   */
  private async register(dto: RegisterKampungDto): Promise<'registered' | 'taken' | 'failed'> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.kampung.register(dto, SEED_ACTOR);
        return 'registered';
      } catch (err) {
        const fields = err instanceof ProblemException && err.getStatus() === 409 ? (err.errors ?? []) : [];
        if (fields.some((f) => f.field === 'villageCode')) return 'taken';
        const model = fields.find((f) => f.field === 'modelRegency' || f.field === 'modelProvince');
        if (model && attempt === 0) {
          dto[model.field as 'modelRegency' | 'modelProvince'] = false;
          continue;
        }
        this.logger.warn(
          { villageCode: dto.villageCode, err: err instanceof Error ? err.message : String(err) },
          'seed: registration refused, going on',
        );
        return 'failed';
      }
    }
  }

  private dto(
    rand: () => number,
    village: { code: string; name: string },
    name: string,
    extra: Partial<RegisterKampungDto>,
  ): RegisterKampungDto {
    const person = () => `${pick(rand, GIVEN)} ${pick(rand, FAMILY)}`;
    const start = Date.UTC(2016, 0, 14); // the programme was launched on 14 January 2016
    const end = Date.UTC(2022, 11, 31);
    const launch = new Date(start + Math.floor(rand() * (end - start))).toISOString().slice(0, 10);
    const members = Array.from({ length: 3 + Math.floor(rand() * 6) }, (_, i) => ({
      name: person(),
      position: POSITIONS[Math.min(i, 3)],
      seksi: i >= 3 ? (pick(rand, SEKSI_CODES) as Seksi) : undefined,
    }));
    const criteria = sample(
      rand,
      SELECTION_CRITERIA_CODES,
      1 + Math.floor(rand() * 3),
    ) as SelectionCriterion[];
    return {
      villageCode: village.code,
      name,
      launchDate: launch,
      description: `Demo data: ${name} in ${village.name}.`,
      selectionCriteria: criteria,
      modelRegency: false,
      modelProvince: false,
      ...demoCoordinates(village.code),
      pokja: {
        skNumber: `${100 + Math.floor(rand() * 800)}/SK/${launch.slice(0, 4)}`,
        skDate: launch,
        skIssuer: pick(rand, ISSUERS),
        trained: rand() < 0.6,
        members,
      },
      fieldOfficer:
        rand() < 0.85
          ? {
              name: person(),
              nip: String(196500000000000000 + Math.floor(rand() * 3e16)).slice(0, 18),
              contact: `+62 8${Math.floor(1e9 + rand() * 9e9)}`,
            }
          : undefined,
      ...extra,
    } as RegisterKampungDto;
  }
}
