import 'reflect-metadata'; // class-transformer's @Type reads design:type when the class is declared
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsObject, IsString, Min, ValidateNested } from 'class-validator';
import { defineEvent } from '../event-contract';

export class RegionLevelCountsV1 {
  @IsInt() @Min(0) provinces!: number;
  @IsInt() @Min(0) regencies!: number;
  @IsInt() @Min(0) districts!: number;
  @IsInt() @Min(0) villages!: number;
}

export class RegionsImportedV1 {
  /** Source of the codes, e.g. `idn-area-data@4.0.1`. */
  @IsString()
  @IsNotEmpty()
  source!: string;

  /** Active codes per level after the import. */
  @IsObject() // @ValidateNested alone lets a missing value (or an array) through
  @ValidateNested()
  @Type(() => RegionLevelCountsV1)
  active!: RegionLevelCountsV1;

  @IsInt() @Min(0) inserted!: number;
  @IsInt() @Min(0) updated!: number;
  @IsInt() @Min(0) deactivated!: number;
}

export const regionsImportedV1 = defineEvent({
  producer: 'registry',
  aggregate: 'regions',
  verb: 'imported',
  major: 1,
  payload: RegionsImportedV1,
  summary: 'The region tree was (re)imported; national event (province token 00).',
});
