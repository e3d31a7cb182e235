import { PageOf } from '@kkb/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AuditView, KampungSummary } from './kampung-query.service';

export class CodeListEntryView {
  @ApiProperty({ example: 'ekonomi' }) code!: string;
  @ApiProperty({ example: 'Economy' }) label!: string;
}

/** The register's code lists: Pokja seksi (the 8 family functions), SK issuers, selection criteria. */
export class CodeListsView {
  @ApiProperty({ type: [CodeListEntryView] }) seksi!: CodeListEntryView[];
  @ApiProperty({ type: [CodeListEntryView] }) skIssuers!: CodeListEntryView[];
  @ApiProperty({ type: [CodeListEntryView] }) selectionCriteria!: CodeListEntryView[];
}

/** A kampung as lists show it; the whole record is `GET /api/v1/kampung/{id}`. */
export class KampungSummaryView implements KampungSummary {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '16.10.05.2041' }) villageCode!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: '2022-03-14' }) launchDate!: string;
  @ApiProperty() active!: boolean;
  @ApiProperty() modelRegency!: boolean;
  @ApiProperty() modelProvince!: boolean;
  @ApiProperty() version!: number;
}

export class KampungPage extends PageOf(KampungSummaryView) {}

/** One entry of a kampung's audit history. */
export class AuditEntryView implements AuditView {
  @ApiProperty({ description: 'Position in the history (the cursor key)' }) id!: string;
  @ApiProperty({ description: 'The kampung version this change made' }) version!: number;
  @ApiProperty({ enum: ['registered', 'updated', 'deactivated', 'reactivated', 'merged'] })
  action!: string;
  @ApiProperty({ description: 'Token subject of who did it' }) actor!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) actorRole!: string | null;
  @ApiProperty() at!: string;
  @ApiProperty({
    description: 'Changed fields: { field: { from, to } }',
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: { from: {}, to: {} },
      required: ['from', 'to'],
    },
  })
  changes!: Record<string, { from: unknown; to: unknown }>;
  @ApiPropertyOptional({ type: String, nullable: true }) reason!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) correlationId!: string | null;
}

export class AuditPage extends PageOf(AuditEntryView) {}
