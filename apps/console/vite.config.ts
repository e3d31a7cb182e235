import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const target = process.env.FRONT_DOOR_URL ?? 'http://127.0.0.1:3000';

/** Paths the service worker must never answer with the app shell: the APIs and the front door's own pages. */
const NOT_PAGES = [/^\/api\//, /^\/dev\//, /^\/docs/, /^\/problems\//, /^\/health\//, /^\/config\.json/];

export default defineConfig({
  root: here,
  // The instrument rules are bundled from source: the survey service runs the same files.
  resolve: {
    alias: { '@kkb/instrument-rules': path.join(repo, 'libs/instrument-rules/src/index.ts') },
  },
  plugins: [
    react(),
    // An installable PWA: the app shell is precached by a Workbox service worker, so the console
    // opens and a field officer can fill and queue reports without a connection. The instrument
    // definitions are cached as they are read (NetworkFirst: the newest when online).
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false,
      includeAssets: ['icons/*.png', 'icons/*.svg'],
      manifest: {
        id: '/',
        name: 'Konsol Kampung KB',
        short_name: 'Kampung KB',
        description: 'Konsol petugas Kampung Keluarga Berkualitas: data, verifikasi dan laporan lapangan',
        lang: 'id',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#0b4f6c',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        navigateFallback: '/index.html',
        navigateFallbackDenylist: NOT_PAGES,
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
        // One file (sw.js) rather than sw.js + workbox-<hash>.js: one more fixed route is enough.
        inlineWorkboxRuntime: true,
        runtimeCaching: [
          {
            urlPattern: ({ url }) => url.pathname.startsWith('/api/v1/instruments'),
            handler: 'NetworkFirst',
            options: {
              cacheName: 'kkb-instruments',
              networkTimeoutSeconds: 10,
              expiration: { maxEntries: 50 },
            },
          },
          {
            urlPattern: ({ url }) => url.pathname === '/config.json',
            handler: 'NetworkFirst',
            options: { cacheName: 'kkb-config', networkTimeoutSeconds: 5 },
          },
        ],
      },
    }),
  ],
  build: {
    outDir: path.join(repo, 'dist/apps/console'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 700,
  },
  server: {
    host: '127.0.0.1',
    port: 4200,
    proxy: {
      '/api': { target, changeOrigin: false },
      '/dev': { target, changeOrigin: false },
      '/config.json': { target, changeOrigin: false },
    },
  },
  preview: { host: '127.0.0.1', port: 4300 },
});
