#!/usr/bin/env node
// Bundles the dashboard's browser code (src/web/client) with esbuild into dist/dashboard/:
// index.html, app.js, app.css. Everything comes from node_modules: no network at build time.
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const src = 'src/web/client';
const out = 'dist/dashboard';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(src, 'main.ts') },
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  minify: true,
  sourcemap: false,
  legalComments: 'linked',
  outdir: out,
  logLevel: 'warning',
});
copyFileSync(join(src, 'index.html'), join(out, 'index.html'));
const size = (f) => statSync(join(out, f)).size;
console.log(`build-web: ${out}/app.js ${size('app.js')} B, app.css ${size('app.css')} B`);
