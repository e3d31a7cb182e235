import { useTranslation } from 'react-i18next';
import { levelKey, levelStyle } from '../../levels';

/** A level as a coloured chip with its name (colour is never the only cue). */
export default function LevelBadge({
  level,
  testId = 'level-badge',
  large = false,
}: {
  level: string | null | undefined;
  testId?: string;
  large?: boolean;
}) {
  const { t } = useTranslation();
  const style = levelStyle(level);
  return (
    <span
      className={`level-chip${large ? ' level-chip--large' : ''}`}
      style={{ background: style.colour, color: style.text }}
      data-testid={testId}
      data-level={level ?? 'none'}
    >
      {t(levelKey(level))}
    </span>
  );
}
