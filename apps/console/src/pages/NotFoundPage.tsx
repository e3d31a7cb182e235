import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';

export default function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <div className="page page--narrow">
      <h1>{t('status.pageNotFound')}</h1>
      <p>
        <Link to="/">{t('nav.home')}</Link>
      </p>
    </div>
  );
}
