/** Request-body parsing for the fake chat servers (JSON or multipart/form-data). */
import type { IncomingMessage } from 'node:http';

export interface UploadedFile {
  filename: string;
  type: string;
  bytes: Uint8Array;
}

/**
 * A small multipart/form-data parser. grammY writes `filename=a.png` unquoted, which undici's FormData parser rejects,
 * so the fake parses parts itself. Fields referenced as attach://<name> are resolved to the uploaded file.
 */
export function parseMultipart(raw: Buffer, boundary: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let start = raw.indexOf(delimiter);
  while (start >= 0) {
    const partStart = start + delimiter.length;
    if (raw.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = raw.indexOf(delimiter, partStart);
    if (next < 0) break;
    const part = raw.subarray(partStart + 2, next - 2); // skip CRLF after delimiter and before the next one
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const body = part.subarray(headerEnd + 4);
    const name = /(?:^|[;\s])name="([^"]*)"/i.exec(headers)?.[1] ?? '';
    const filename = /filename="?([^";\r\n]*)"?/i.exec(headers)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] ?? '';
    out[name] = filename === undefined ? body.toString('utf8') : ({ filename, type, bytes: new Uint8Array(body) } satisfies UploadedFile);
    start = next;
  }
  for (const [key, value] of Object.entries(out)) {
    if (typeof value === 'string' && value.startsWith('attach://')) out[key] = out[value.slice('attach://'.length)];
  }
  return out;
}

export async function readRawBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readRawBody(req);
  const type = req.headers['content-type'] ?? '';
  if (raw.length === 0) return {};
  const boundary = /^multipart\/form-data;\s*boundary=(.+)$/i.exec(type)?.[1];
  if (boundary) return parseMultipart(raw, boundary.replace(/^"|"$/g, ''));
  return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
}

