#!/usr/bin/env node
// Entry point of the installed CLI; the TypeScript sources are compiled to dist/ by `npm ci` (prepare).
import('../dist/cli/main.js');
