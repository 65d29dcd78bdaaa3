#!/usr/bin/env node
// Bundles the browser demo (app.js + JsSIP) with esbuild and copies the
// static files, so the page needs nothing from the network.
//
//   node build.mjs --out DIR [--node-modules DIR] [--no-minify]
//
// --node-modules defaults to ../../tests/node_modules (where `npm ci` in
// tests/ installs jssip and esbuild).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let out = null;
let nodeModules = path.resolve(here, '../../tests/node_modules');
let minify = true;
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--out' && i + 1 < args.length) out = path.resolve(args[++i]);
  else if (args[i] === '--node-modules' && i + 1 < args.length) nodeModules = path.resolve(args[++i]);
  else if (args[i] === '--no-minify') minify = false;
  else {
    console.error(`usage: build.mjs --out DIR [--node-modules DIR] [--no-minify] (unknown argument ${args[i]})`);
    process.exit(2);
  }
}
if (!out) {
  console.error('usage: build.mjs --out DIR [--node-modules DIR] [--no-minify]');
  process.exit(2);
}
for (const pkg of ['esbuild', 'jssip']) {
  if (!fs.existsSync(path.join(nodeModules, pkg, 'package.json'))) {
    console.error(`build.mjs: ${pkg} not found in ${nodeModules}; run 'npm ci' in tests/`);
    process.exit(1);
  }
}

const require = createRequire(path.join(nodeModules, 'noop.js'));
const esbuild = require('esbuild');

fs.mkdirSync(out, { recursive: true });
const result = await esbuild.build({
  entryPoints: [path.join(here, 'app.js')],
  bundle: true,
  outfile: path.join(out, 'app.js'),
  format: 'iife',
  platform: 'browser',
  target: ['es2020'],
  nodePaths: [nodeModules],
  minify,
  sourcemap: 'linked',
  legalComments: 'linked',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
  metafile: true,
});
for (const f of ['index.html', 'style.css']) {
  fs.copyFileSync(path.join(here, f), path.join(out, f));
}
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`browser demo bundled into ${out} (${Math.round(bytes / 1024)} KiB)`);
