import { ApiProperty } from '@nestjs/swagger';
import { IndexScoresView } from '../common/index-scores.view';
import { LEVELS, type Level } from '../rule-set/rule-set.definition';

export class KampungLevelView {
  @ApiProperty({ format: 'uuid' })
  kampungId!: string;

  @ApiProperty({ example: 'Kampung KB Seroja' })
  name!: string;

  @ApiProperty({ example: '16.10.05.2041' })
  villageCode!: string;

  @ApiProperty({ enum: LEVELS, nullable: true, description: 'null: not assessed yet' })
  level!: Level | null;

  @ApiProperty({ type: Number, nullable: true })
  ruleSetVersion!: number | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  evaluatedAt!: string | null;

  @ApiProperty({ type: IndexScoresView, nullable: true, description: 'The indices of the current level' })
  scores!: IndexScoresView | null;

  @ApiProperty()
  modelRegency!: boolean;

  @ApiProperty()
  modelProvince!: boolean;

  @ApiProperty({ type: Number, nullable: true, example: -3.2415 })
  latitude!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 104.6518 })
  longitude!: number | null;

  @ApiProperty()
  active!: boolean;
}

export class KampungLevelPageView {
  @ApiProperty({ type: [KampungLevelView] })
  items!: KampungLevelView[];

  @ApiProperty({ type: String, nullable: true, description: 'null on the last page' })
  nextCursor!: string | null;
}

export class KampungPointView {
  @ApiProperty({ format: 'uuid' })
  kampungId!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: LEVELS, nullable: true })
  level!: Level | null;

  @ApiProperty({ example: -3.2415 })
  latitude!: number;

  @ApiProperty({ example: 104.6518 })
  longitude!: number;
}

export class KampungPointsView {
  @ApiProperty({ type: [KampungPointView], description: 'Kampung with coordinates only' })
  items!: KampungPointView[];
}
