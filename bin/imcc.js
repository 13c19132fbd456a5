#!/usr/bin/env node
// Launcher: runs the compiled CLI (built by `npm ci` through the `prepare` script).
import { installStdoutGuard, main } from '../dist/cli/main.js';

installStdoutGuard();

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
