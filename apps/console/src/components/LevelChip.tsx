import { useTranslation } from 'react-i18next';
import { LEVEL_STYLE, LEVELS, levelStyle } from '../levels';

export function LevelChip({ level }: { level: string | null | undefined }) {
  const { t } = useTranslation();
  const style = levelStyle(level);
  return (
    <span className="level-chip" style={{ background: style.colour, color: style.text }}>
      {t(style.key)}
    </span>
  );
}

/** The level colours with their names (the map and charts use the same colours). */
export function LevelLegend({ withNone = true }: { withNone?: boolean }) {
  const { t } = useTranslation();
  const entries = [...LEVELS.map((l) => LEVEL_STYLE[l]), ...(withNone ? [LEVEL_STYLE.none] : [])];
  return (
    <ul className="legend">
      {entries.map((s) => (
        <li key={s.key}>
          <span className="swatch" style={{ background: s.colour }} aria-hidden="true" />
          {t(s.key)}
        </li>
      ))}
    </ul>
  );
}
