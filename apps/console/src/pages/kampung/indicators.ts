// Display helpers for the rule set's words: indicator names, band labels, value targets. The rule
// set is data (its names are English); the catalogue translates the ones it knows and falls back
// to the rule set's own text for the rest.
import type { TFunction } from 'i18next';
import { formatNumber, formatPercent } from '../../format';
import type { IndicatorMove } from './views';

export function indicatorName(t: TFunction, id: string, name: string): string {
  return t(`kampung:indicator.${id}`, { defaultValue: name });
}

/** Word labels ('none', 'exists, with members or trained') translated; numeric ones ('2–4') kept. */
export function bandLabel(t: TFunction, label: string | null | undefined): string {
  if (!label) return '–';
  if (!/^[a-z ,]+$/i.test(label)) return label;
  const key = label
    .trim()
    .toLowerCase()
    .replace(/[^a-z]+/g, '_');
  return t(`kampung:band.${key}`, { defaultValue: label });
}

export function formatValue(value: number | null | undefined, unit: 'count' | 'percent'): string {
  return unit === 'percent' ? formatPercent(value, { digits: 1 }) : formatNumber(value, 2);
}

const OPS: Record<string, string> = { '>=': '≥', '>': '>', '<': '<', '<=': '≤' };

export function formatTarget(move: IndicatorMove): string | null {
  if (!move.target) return null;
  return `${OPS[move.target.op] ?? move.target.op} ${formatValue(move.target.value, move.unit)}`;
}
