// i18next with one namespace per src/i18n/<lang>/<namespace>.json, bundled eagerly (the
// catalogues are small). Bahasa Indonesia by default; the choice is kept in localStorage and
// mirrored in <html lang>.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

export const LANGUAGES = ['id', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'kkb.console.lang';

const modules = import.meta.glob<{ default: Record<string, unknown> }>('./*/*.json', { eager: true });

const resources: Record<string, Record<string, Record<string, unknown>>> = {};
for (const [file, mod] of Object.entries(modules)) {
  const match = /^\.\/(\w+)\/([\w-]+)\.json$/.exec(file);
  if (!match) continue;
  const [, lang, ns] = match;
  (resources[lang] ??= {})[ns] = mod.default;
}

function storedLanguage(): Language {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return (LANGUAGES as readonly string[]).includes(stored ?? '') ? (stored as Language) : 'id';
  } catch {
    return 'id';
  }
}

export const namespaces = Object.keys(resources.id ?? {});

void i18next.use(initReactI18next).init({
  resources,
  lng: storedLanguage(),
  fallbackLng: 'id',
  supportedLngs: [...LANGUAGES],
  ns: namespaces,
  defaultNS: 'common',
  interpolation: { escapeValue: false },
  returnNull: false,
});

function syncHtml(lang: string) {
  document.documentElement.lang = lang;
  document.title = i18next.t('common:app.title');
}
syncHtml(i18next.language);
i18next.on('languageChanged', (lang) => {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // private mode: the choice lasts for this page only
  }
  syncHtml(lang);
});

export function setLanguage(lang: Language): Promise<unknown> {
  return i18next.changeLanguage(lang);
}

export default i18next;
