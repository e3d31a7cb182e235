import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Role, type Principal } from '@kkb/auth';
import type { SelectionCriterion, Seksi, SkIssuer } from '../kampung/code-lists';
import { SEKSI_CODES, SELECTION_CRITERIA_CODES } from '../kampung/code-lists';
import { KampungService } from '../kampung/kampung.service';
import type { RegisterKampungDto } from '../kampung/register-kampung.dto';
import { pick, prng, sample } from './prng';
import { schemaOf } from '@kkb/persistence';

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
  alreadyThere: number;
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
 * to their villages, about 15% of villages as in 2022. The same seed gives the same kampung;
 * re-running adds only what is missing. Everything goes through the register, events included.
 */
@Injectable()
export class SouthSumatraSeed {
  private readonly logger = new Logger(SouthSumatraSeed.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly kampung: KampungService,
  ) {}

  async run(opts: { seed?: number; share?: number } = {}): Promise<SeedResult> {
    const rand = prng(opts.seed ?? 2022);
    const share = opts.share ?? 0.15;
    const s = `${schemaOf(this.ds)}`;
    const villages: { code: string; name: string; kind: string }[] = await this.ds.query(
      `SELECT code, name, kind FROM ${s}.region WHERE level = 4 AND active AND code LIKE '16.%' ORDER BY code`,
    );
    if (!villages.length)
      throw new Error('no villages of province 16: import the regions first (import-regions)');
    const taken = new Set<string>(
      (
        await this.ds.query(`SELECT village_code FROM ${s}.kampung WHERE active AND village_code LIKE '16.%'`)
      ).map((r: { village_code: string }) => r.village_code),
    );
    const byRegency = new Map<string, typeof villages>();
    for (const v of villages)
      byRegency.set(v.code.slice(0, 5), [...(byRegency.get(v.code.slice(0, 5)) ?? []), v]);

    const plan: RegisterKampungDto[] = [
      this.dto(rand, { code: '16.10.05.2041', name: 'Sembadak' }, 'Kampung KB Seroja', {
        modelProvince: true,
        modelRegency: true,
        launchDate: '2017-04-26',
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
    let registered = 0;
    let alreadyThere = 0;
    for (const dto of plan) {
      if (taken.has(dto.villageCode)) {
        alreadyThere++;
        continue;
      }
      await this.kampung.register(dto, SEED_ACTOR);
      registered++;
    }
    this.logger.log({ registered, alreadyThere, villages: villages.length }, 'South Sumatra seeded');
    return { province: '16', villages: villages.length, registered, alreadyThere };
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
