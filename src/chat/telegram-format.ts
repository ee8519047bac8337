/**
 * Turns a platform-neutral Reply into Telegram messages. We use parse_mode HTML: only &, < and > need escaping (no
 * fragile Markdown escaping of every dot and dash), and tables go in <pre> to keep their columns aligned.
 *
 * Telegram counts its limits on the text after entity parsing (4096 for messages, 1024 for captions), i.e. on the
 * plain text, so chunks are sized on plain text and escaped afterwards.
 */
import { renderTable, type Reply } from '../../commands/reply.ts';
import { splitText } from './text.ts';

export const TELEGRAM_TEXT_LIMIT = 4096;
export const TELEGRAM_CAPTION_LIMIT = 1024;
/** Headroom below the hard limit for the newline between text and table. */
const CHUNK = TELEGRAM_TEXT_LIMIT - 96;

export type TelegramOutgoing =
  | { kind: 'text'; html: string }
  | { kind: 'photo'; name: string; png: Uint8Array; captionHtml?: string };

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function toTelegramMessages(reply: Reply): TelegramOutgoing[] {
  const images = reply.images ?? [];
  const text = reply.text.trim();
  // One image with a short text and no table: a single photo message with the text as its caption (the daily post).
  if (images.length === 1 && !reply.table && text.length > 0 && text.length <= TELEGRAM_CAPTION_LIMIT) {
    return [{ kind: 'photo', name: images[0].name, png: images[0].png, captionHtml: escapeHtml(text) }];
  }
  const out: TelegramOutgoing[] = [];
  const table = reply.table ? renderTable(reply.table) : '';
  if (table && text.length + table.length + 1 <= CHUNK) {
    out.push({ kind: 'text', html: `${escapeHtml(text)}${text ? '\n' : ''}<pre>${escapeHtml(table)}</pre>` });
  } else {
    if (text) for (const chunk of splitText(text, CHUNK)) out.push({ kind: 'text', html: escapeHtml(chunk) });
    if (table) for (const chunk of splitText(table, CHUNK)) out.push({ kind: 'text', html: `<pre>${escapeHtml(chunk)}</pre>` });
  }
  for (const image of images) {
    const caption = image.caption ? splitText(image.caption, TELEGRAM_CAPTION_LIMIT)[0] : undefined;
    out.push({ kind: 'photo', name: image.name, png: image.png, captionHtml: caption === undefined ? undefined : escapeHtml(caption) });
  }
  return out;
}
