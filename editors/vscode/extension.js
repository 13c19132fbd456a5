// Starts `imcc lsp --stdio` for .imc files (the command comes from the imcc.command setting).
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

exports.activate = function activate() {
  const [command, ...args] = vscode.workspace.getConfiguration('imcc').get('command', ['npx', 'imcc']);
  const server = { command, args: [...args, 'lsp', '--stdio'] };
  client = new LanguageClient('imcc', 'imcc', { run: server, debug: server }, { documentSelector: [{ language: 'imc' }] });
  return client.start();
};

exports.deactivate = function deactivate() {
  return client === undefined ? undefined : client.stop();
};
