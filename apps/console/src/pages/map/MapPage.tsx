import { useTranslation } from 'react-i18next';

export default function Page() {
  const { t } = useTranslation();
  return (
    <div className="page">
      <h1>{t('status.comingSoon')}</h1>
    </div>
  );
}
