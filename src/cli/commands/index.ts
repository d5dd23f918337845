// Every CLI verb group, registered in the order `peapod --help` lists them.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerSystemCommands } from './system.js';

export function registerCommands(program: Command, ctx: () => CliContext): void {
  registerSystemCommands(program, ctx);
}
