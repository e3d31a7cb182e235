// Nasional (/nasional, national officers): the rule sets (read only) and the progress of the
// recomputations a published rule set starts.
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import RecomputeJobs from './RecomputeJobs';
import RuleSets from './RuleSets';
import '../kampung/pages.css';

export default function NationalPage() {
  const { t } = useTranslation('national');
  const { role } = useSession();
  if (role !== 'national') {
    return (
      <div className="page">
        <h1>{t('title')}</h1>
        <div className="notice" role="note" data-testid="national-only">
          <p>{t('nationalOnly')}</p>
        </div>
      </div>
    );
  }
  return (
    <div className="page" data-testid="national-page">
      <header className="page-header">
        <div>
          <h1>{t('title')}</h1>
          <p className="muted">{t('intro')}</p>
        </div>
      </header>
      <RecomputeJobs />
      <RuleSets />
    </div>
  );
}
