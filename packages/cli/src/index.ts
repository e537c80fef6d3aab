export { main } from './cli.js';
export { type CommandIO, type CommandModule, ExitCode } from './command.js';
