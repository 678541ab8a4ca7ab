#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI lives in the esbuild bundle so it starts without TypeScript tooling.
require('../dist/cli.js').run(process.argv.slice(2));
