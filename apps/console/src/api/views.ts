// The response shapes the console's own pages read. Each call site passes its view to
// data<View>(), which checks it against the generated response schema where the OpenAPI
// document has one; the shapes follow the services' view classes.
import type { Level } from '../levels';
import type { components as RegistryComponents } from './generated/registry';

export type RegionView = RegistryComponents['schemas']['RegionView'];

export interface CoverageEntry {
  code: string | null;
  name: string;
  level: 'nation' | 'province' | 'regency' | 'district' | 'village';
  villages: number;
  kampung: number;
  percent: number;
  gap: number;
}
export interface CoverageView extends CoverageEntry {
  children?: CoverageEntry[];
}
export interface CoverageTrendView {
  region: string | null;
  months: { month: string; kampung: number }[];
}

export type LevelTally = Record<Level, number>;
export interface LevelCounts {
  region: string | null;
  regionLevel: 'nation' | 'province' | 'regency' | 'district' | 'village';
  kampung: number;
  assessed: number;
  notAssessed: number;
  coverage: number;
  levels: LevelTally;
}
export interface LevelsView extends LevelCounts {
  children?: LevelCounts[];
}
export interface LevelsHistoryView {
  region: string | null;
  from: string;
  to: string;
  months: { month: string; assessed: number; levels: LevelTally }[];
}

export interface KampungLevel {
  kampungId: string;
  name: string;
  villageCode: string;
  level: Level | null;
  ruleSetVersion: number | null;
  evaluatedAt: string | null;
  scores: { input: number; process: number; output: number } | null;
  modelRegency: boolean;
  modelProvince: boolean;
  latitude: number | null;
  longitude: number | null;
  active?: boolean;
}
export interface KampungLevelPage {
  items: KampungLevel[];
  nextCursor: string | null;
}
export interface KampungPoint {
  kampungId: string;
  name: string;
  level: Level | null;
  latitude: number;
  longitude: number;
}
export interface KampungPoints {
  items: KampungPoint[];
}
