import { useTranslation } from 'react-i18next';
import { LANGUAGES, setLanguage, type Language } from '../i18n';

export default function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const current = i18n.language.slice(0, 2) as Language;
  return (
    <div className="lang-switch" role="group" aria-label={t('language.label')}>
      {LANGUAGES.map((lang) => (
        <button
          key={lang}
          type="button"
          lang={lang}
          aria-pressed={current === lang}
          className={current === lang ? 'is-active' : undefined}
          onClick={() => void setLanguage(lang)}
          title={t(`language.${lang}`)}
        >
          {lang.toUpperCase()}
          <span className="visually-hidden"> – {t(`language.${lang}`)}</span>
        </button>
      ))}
    </div>
  );
}
