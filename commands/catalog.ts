/** The chat commands, in the order /help and the platforms' command menus show them. */
import type { CommandSpec } from './command.ts';
import { deployCommand } from './deploy.ts';
import { makeHelpCommand } from './help.ts';
import { modelsCommand } from './models.ts';
import { predictCommand } from './predict.ts';
import { reportCommand } from './report.ts';
import { subscribeCommand } from './subscribe.ts';
import { unsubscribeCommand } from './unsubscribe.ts';

export const COMMANDS: readonly CommandSpec[] = [
  predictCommand,
  modelsCommand,
  reportCommand,
  deployCommand,
  subscribeCommand,
  unsubscribeCommand,
  makeHelpCommand(() => COMMANDS),
];

export function findCommand(name: string, commands: readonly CommandSpec[] = COMMANDS): CommandSpec | undefined {
  return commands.find((c) => c.name === name);
}
