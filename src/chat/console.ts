/**
 * `signal-pool chat`: the chat commands on a terminal, with no account and no token. Reads command lines from a
 * stream (stdin), writes replies as text, tables aligned, and images as PNG files in `imageDir` whose paths are
 * printed. The console user is an admin by default (it is the operator's own machine).
 *
 * Commands run one after another, in input order, except long-running ones (/deploy), which run in the background
 * so other commands can be tried meanwhile; when the input ends, runConsoleChat waits for them to finish.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { SignalPoolServices } from '../app/services.ts';
import { findCommand } from '../../commands/catalog.ts';
import { renderTable, type Reply } from '../../commands/reply.ts';
import { createRouter, newCorrelationId, parseCommandLine, type Router } from '../../commands/router.ts';
import type { ChatPlatform } from './platform.ts';

export const CONSOLE_CHAT_ID = 'console';

export interface ConsolePlatformOptions {
  output: Writable;
  imageDir: string;
}

/** Writes replies to `output`; images become files. Also usable as the daily post's platform on a terminal. */
export function createConsolePlatform(options: ConsolePlatformOptions): ChatPlatform & { writtenImages: string[] } {
  const writtenImages: string[] = [];
  let counter = 0;
  const write = (text: string) => new Promise<void>((done, fail) => options.output.write(text, (err) => (err ? fail(err) : done())));
  return {
    name: 'console',
    writtenImages,
    configuredChatIds: () => [CONSOLE_CHAT_ID],
    async sendReply(_chatId: string, reply: Reply) {
      const parts = [reply.text];
      if (reply.table) parts.push(renderTable(reply.table));
      if (reply.images && reply.images.length > 0) {
        await mkdir(options.imageDir, { recursive: true });
        for (const image of reply.images) {
          const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
          const path = resolve(join(options.imageDir, `${stamp}-${++counter}-${image.name}`));
          await writeFile(path, image.png);
          writtenImages.push(path);
          parts.push(`[image] ${path}${image.caption ? ` (${image.caption})` : ''}`);
        }
      }
      await write(`${parts.join('\n')}\n\n`);
    },
  };
}

export interface ConsoleChatOptions {
  services: SignalPoolServices;
  input: Readable;
  output: Writable;
  imageDir: string;
  isAdmin?: boolean;
  router?: Router;
  /** Prints a greeting line first (default true). */
  banner?: boolean;
}

export async function runConsoleChat(options: ConsoleChatOptions): Promise<void> {
  const { services, output } = options;
  const router = options.router ?? createRouter();
  const platform = createConsolePlatform({ output, imageDir: options.imageDir });
  const background = new Set<Promise<void>>();
  if (options.banner !== false) output.write('Signal Pool console chat. Type /help for the commands; end input (Ctrl-D) to quit.\n\n');

  async function runLine(line: string): Promise<void> {
    let lastProgressHeader = '';
    const reply = await router.dispatch(line, {
      platform: 'console',
      userId: 'console',
      chatId: CONSOLE_CHAT_ID,
      isAdmin: options.isAdmin ?? true,
      isGroup: false,
      correlationId: newCorrelationId(),
      services,
      // A terminal cannot edit a line above; print each new progress headline once instead.
      progress: async (text) => {
        const header = text.split('\n')[0];
        if (header !== lastProgressHeader) output.write(`... ${header}\n`);
        lastProgressHeader = header;
      },
    });
    try {
      await platform.sendReply(CONSOLE_CHAT_ID, reply);
    } catch (error) {
      output.write(`Could not write the reply: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }

  const lines = createInterface({ input: options.input, crlfDelay: Infinity, terminal: false });
  for await (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const parsed = parseCommandLine(line);
    if (parsed && findCommand(parsed.name, router.commands)?.longRunning) {
      const task: Promise<void> = runLine(line).finally(() => background.delete(task));
      background.add(task);
    } else {
      await runLine(line);
    }
  }
  await Promise.all(background);
}
