import { INT32_MAX } from '../limits';
import { IsCalendarDate } from '../dates';
import {
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

/** Dotted Kemendagri village code, e.g. `16.10.05.2041`. */
export const VILLAGE_CODE = /^\d{2}\.\d{2}\.\d{2}\.\d{4}$/;

/**
 * The kampung's register state as carried by every kampung event, so a consumer can build its
 * projection from any one event without calling the registry.
 */
export class KampungStateV1 {
  @IsUUID()
  kampungId!: string;

  @Matches(VILLAGE_CODE, {
    message: 'villageCode must be a dotted 10-digit village code such as 16.10.05.2041',
  })
  villageCode!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsCalendarDate()
  launchDate!: string;

  @IsBoolean()
  active!: boolean;

  @IsBoolean()
  modelRegency!: boolean;

  @IsBoolean()
  modelProvince!: boolean;

  /** Aggregate version: a projection ignores an event older than what it holds. */
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version!: number;

  @IsOptional()
  @IsUUID()
  mergedInto?: string;

  /** WGS 84 latitude of the kampung, when the register has one (absent on older events). */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-90)
  @Max(90)
  latitude?: number;

  /** WGS 84 longitude of the kampung, when the register has one (absent on older events). */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-180)
  @Max(180)
  longitude?: number;
}
