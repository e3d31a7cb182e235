import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n';
import './styles.css';
import { registerSW } from 'virtual:pwa-register';
import App from './App';

// The service worker (vite-plugin-pwa/Workbox) keeps the app shell for offline use; a new
// release's worker takes over at once (autoUpdate) and the next page load runs the new console.
if ('serviceWorker' in navigator && import.meta.env.PROD) registerSW({ immediate: true });

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
