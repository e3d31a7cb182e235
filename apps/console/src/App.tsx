import { lazy, Suspense } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError } from './api/client';
import { RequireSession } from './auth/session';
import Layout from './layout/Layout';
import { Loading, RouteError } from './components/Status';

const HomePage = lazy(() => import('./pages/home/HomePage'));
const MapPage = lazy(() => import('./pages/map/MapPage'));
const ListPage = lazy(() => import('./pages/list/ListPage'));
const KampungPage = lazy(() => import('./pages/kampung/KampungPage'));
const VerificationPage = lazy(() => import('./pages/verification/VerificationPage'));
const InboxPage = lazy(() => import('./pages/inbox/InboxPage'));
const NationalPage = lazy(() => import('./pages/national/NationalPage'));
const EntryPage = lazy(() => import('./pages/entry/EntryPage'));
const FormPage = lazy(() => import('./pages/entry/FormPage'));
const QueuePage = lazy(() => import('./pages/entry/QueuePage'));
const ImportPage = lazy(() => import('./pages/import/ImportPage'));
const SignInPage = lazy(() => import('./pages/signin/SignInPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // Client errors (scope, not found, validation) do not get better by asking again.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});

function page(element: React.ReactNode) {
  return <Suspense fallback={<Loading />}>{element}</Suspense>;
}

const router = createBrowserRouter([
  { path: '/masuk', element: page(<SignInPage />), errorElement: <RouteError /> },
  {
    element: (
      <RequireSession>
        <Layout />
      </RequireSession>
    ),
    errorElement: <RouteError />,
    children: [
      { index: true, element: page(<HomePage />) },
      { path: 'peta', element: page(<MapPage />) },
      { path: 'kampung', element: page(<ListPage />) },
      { path: 'kampung/:id', element: page(<KampungPage />) },
      { path: 'verifikasi', element: page(<VerificationPage />) },
      { path: 'kotak-masuk', element: page(<InboxPage />) },
      { path: 'nasional', element: page(<NationalPage />) },
      { path: 'isi', element: page(<EntryPage />) },
      { path: 'isi/:id', element: page(<FormPage />) },
      { path: 'antrean', element: page(<QueuePage />) },
      { path: 'impor', element: page(<ImportPage />) },
      { path: '*', element: page(<NotFoundPage />) },
    ],
  },
]);

export default function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
