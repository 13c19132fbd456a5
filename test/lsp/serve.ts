// The CLI entry for the language-server test's child process (run under tsx, so the test needs no build).
import { main } from '../../src/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
