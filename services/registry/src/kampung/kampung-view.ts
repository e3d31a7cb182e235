import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { KampungStateV1 } from '@kkb/contracts';
import {
  SEKSI_CODES,
  SELECTION_CRITERIA_CODES,
  SK_ISSUER_CODES,
  type SelectionCriterion,
  type Seksi,
  type SkIssuer,
} from './code-lists';

export class PokjaMemberView {
  @ApiProperty() name!: string;
  @ApiProperty() position!: string;
  @ApiPropertyOptional({ enum: SEKSI_CODES, nullable: true }) seksi!: Seksi | null;
}

export class PokjaView {
  @ApiPropertyOptional({ type: String, nullable: true }) skNumber!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) skDate!: string | null;
  @ApiPropertyOptional({ enum: SK_ISSUER_CODES, nullable: true }) skIssuer!: SkIssuer | null;
  @ApiProperty() trained!: boolean;
  @ApiProperty({ type: [PokjaMemberView] }) members!: PokjaMemberView[];
}

export class FieldOfficerView {
  @ApiPropertyOptional({ type: String, nullable: true }) nip!: string | null;
  @ApiProperty() name!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) contact!: string | null;
}

export class KampungView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '16.10.05.2041' }) villageCode!: string;
  @ApiProperty({ example: 'Sembadak' }) villageName!: string;
  @ApiProperty({ example: 'desa' }) villageKind!: string;
  @ApiProperty() name!: string;
  @ApiProperty() launchDate!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) description!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) rw!: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) latitude!: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) longitude!: number | null;
  @ApiProperty({ enum: SELECTION_CRITERIA_CODES, isArray: true }) selectionCriteria!: SelectionCriterion[];
  @ApiProperty() active!: boolean;
  @ApiProperty() modelRegency!: boolean;
  @ApiProperty() modelProvince!: boolean;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) mergedInto!: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Reason of the last deactivation, reactivation or merge',
  })
  statusReason!: string | null;
  @ApiProperty({ type: PokjaView }) pokja!: PokjaView;
  @ApiPropertyOptional({ type: FieldOfficerView, nullable: true }) fieldOfficer!: FieldOfficerView | null;
  @ApiProperty() version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export interface KampungRow {
  id: string;
  village_code: string;
  village_name: string;
  village_kind: string;
  name: string;
  launch_date: string;
  description: string | null;
  rw: string | null;
  latitude: string | null;
  longitude: string | null;
  selection_criteria: SelectionCriterion[];
  active: boolean;
  model_regency: boolean;
  model_province: boolean;
  merged_into: string | null;
  status_reason: string | null;
  pokja_sk_number: string | null;
  pokja_sk_date: string | null;
  pokja_sk_issuer: SkIssuer | null;
  pokja_trained: boolean;
  field_officer_nip: string | null;
  field_officer_name: string | null;
  field_officer_contact: string | null;
  members: PokjaMemberView[];
  version: number;
  created_at: Date;
  updated_at: Date;
}

export function toKampungView(r: KampungRow): KampungView {
  return {
    id: r.id,
    villageCode: r.village_code,
    villageName: r.village_name,
    villageKind: r.village_kind,
    name: r.name,
    launchDate: r.launch_date,
    description: r.description,
    rw: r.rw,
    latitude: r.latitude === null ? null : Number(r.latitude),
    longitude: r.longitude === null ? null : Number(r.longitude),
    selectionCriteria: r.selection_criteria,
    active: r.active,
    modelRegency: r.model_regency,
    modelProvince: r.model_province,
    mergedInto: r.merged_into,
    statusReason: r.status_reason,
    pokja: {
      skNumber: r.pokja_sk_number,
      skDate: r.pokja_sk_date,
      skIssuer: r.pokja_sk_issuer,
      trained: r.pokja_trained,
      members: r.members,
    },
    fieldOfficer: r.field_officer_name
      ? { nip: r.field_officer_nip, name: r.field_officer_name, contact: r.field_officer_contact }
      : null,
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** The register state every kampung event carries. */
export function kampungState(k: KampungView): KampungStateV1 {
  return {
    kampungId: k.id,
    villageCode: k.villageCode,
    name: k.name,
    launchDate: k.launchDate,
    active: k.active,
    modelRegency: k.modelRegency,
    modelProvince: k.modelProvince,
    version: k.version,
    ...(k.mergedInto ? { mergedInto: k.mergedInto } : {}),
    ...(typeof k.latitude === 'number' ? { latitude: k.latitude } : {}),
    ...(typeof k.longitude === 'number' ? { longitude: k.longitude } : {}),
  };
}

/** What an update may change, as compared for the audit history and the `changed` list. */
export function editableSnapshot(k: KampungView): Record<string, unknown> {
  return {
    name: k.name,
    launchDate: k.launchDate,
    description: k.description,
    rw: k.rw,
    latitude: k.latitude,
    longitude: k.longitude,
    selectionCriteria: k.selectionCriteria,
    modelRegency: k.modelRegency,
    modelProvince: k.modelProvince,
    pokja: k.pokja,
    fieldOfficer: k.fieldOfficer,
  };
}
