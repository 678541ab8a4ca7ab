#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI lives in the esbuild bundle so it starts without TypeScript tooling.
require('../dist/cli.js').main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
