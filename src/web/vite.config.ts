/**
 * Vite build of the two pages (help desk console `/`, "Recover deleted items" `/me`) from
 * src/web/app into src/web/dist, which src/web/index.ts serves. Run: vite build --config src/web/vite.config.ts
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('./app'),
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
    // no inline data: assets and no injected inline script: the pages' CSP allows 'self' only
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    rollupOptions: { input: { index: here('./app/index.html'), me: here('./app/me.html') } },
  },
  // `vite --config src/web/vite.config.ts` for development: the API comes from `npm start`
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
