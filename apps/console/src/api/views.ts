// The response shapes the console's own pages read, straight from the services' OpenAPI
// documents (src/api/generated, written by `npm run openapi`).
import type { components as Registry } from './generated/registry';
import type { components as Classification } from './generated/classification';

type R = Registry['schemas'];
type C = Classification['schemas'];

export type RegionView = R['RegionView'];
export type CoverageEntry = R['CoverageEntryView'];
export type CoverageView = R['CoverageView'];
export type CoverageTrendView = R['CoverageTrendView'];

export type LevelCounts = C['LevelCountsView'];
export type LevelsView = C['LevelsView'];
export type LevelsHistoryView = C['LevelsHistoryView'];

export type KampungLevel = C['KampungLevelView'];
export type KampungLevelPage = C['KampungLevelPageView'];
export type KampungPoint = C['KampungPointView'];
export type KampungPoints = C['KampungPointsView'];
