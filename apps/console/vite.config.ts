import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const target = process.env.FRONT_DOOR_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: here,
  plugins: [react()],
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
