/**
 * Turns a platform-neutral Reply into Discord messages: plain text escaped for Discord Markdown, tables in a code
 * block, and each image as an attachment shown inside its own embed (attachment://<name>). Discord caps content at
 * 2000 characters and a message at 10 embeds, so long replies become several messages; images ride on the last one.
 */
import { escapeMarkdown, type APIEmbed } from 'discord.js';
import { renderTable, type Reply } from '../../commands/reply.ts';
import { splitText } from './text.ts';

export const DISCORD_CONTENT_LIMIT = 2000;
const MAX_EMBEDS = 10;
const CODE_FENCE = '```';

export interface DiscordFile {
  name: string;
  data: Buffer;
}

export interface DiscordMessage {
  content: string;
  embeds: APIEmbed[];
  files: DiscordFile[];
}

/** Distinct, attachment-safe file names (Discord matches attachment://<name> by name). */
function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((raw) => {
    const name = raw.replace(/[^A-Za-z0-9._-]/g, '_') || 'image.png';
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    return n === 0 ? name : `${n + 1}-${name}`;
  });
}

export function toDiscordMessages(reply: Reply): DiscordMessage[] {
  const contents: string[] = [];
  const text = escapeMarkdown(reply.text.trim(), { heading: true, bulletedList: true, numberedList: true, maskedLink: true });
  // A table cell cannot close the code block early.
  const table = reply.table ? renderTable(reply.table).replace(/`/g, "'") : '';
  const block = (t: string) => `${CODE_FENCE}\n${t}\n${CODE_FENCE}`;
  if (table && text.length + table.length + 10 <= DISCORD_CONTENT_LIMIT) {
    contents.push(`${text}${text ? '\n' : ''}${block(table)}`);
  } else {
    if (text) contents.push(...splitText(text, DISCORD_CONTENT_LIMIT));
    if (table) contents.push(...splitText(table, DISCORD_CONTENT_LIMIT - 10).map(block));
  }

  const images = reply.images ?? [];
  const names = uniqueNames(images.map((i) => i.name));
  const messages: DiscordMessage[] = contents.map((content) => ({ content, embeds: [], files: [] }));
  for (let i = 0; i < images.length; i += MAX_EMBEDS) {
    const batch = images.slice(i, i + MAX_EMBEDS);
    const embeds: APIEmbed[] = batch.map((img, j) => ({
      ...(img.caption ? { title: img.caption.slice(0, 256) } : {}),
      image: { url: `attachment://${names[i + j]}` },
    }));
    const files = batch.map((img, j) => ({ name: names[i + j], data: Buffer.from(img.png) }));
    const last = messages.at(-1);
    if (i === 0 && last) {
      last.embeds = embeds;
      last.files = files;
    } else {
      messages.push({ content: '', embeds, files });
    }
  }
  if (messages.length === 0) messages.push({ content: '\u200b', embeds: [], files: [] });
  return messages;
}
