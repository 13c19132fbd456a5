#!/usr/bin/env node
// Launcher: runs the compiled CLI (built by `npm ci` through the `prepare` script).
import { enableSignalCleanup, installStdoutGuard, main } from '../dist/cli/main.js';

installStdoutGuard();
enableSignalCleanup();

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
