/**
 * Password-free descriptions of a MongoDB connection string, for logs, error messages and `store.location`.
 *
 * Connection strings carry credentials (`mongodb+srv://user:PASSWORD@cluster0.example.net/...`) and sometimes
 * secrets in options (`tlsCertificateKeyFilePassword=...`). Nothing that could be one of those may leave this module.
 * The parsing is deliberately forgiving and errs towards hiding too much: a malformed URI (say, an unencoded '@' or
 * '/' in the password) must not leak part of the password either.
 */

const SCHEME = /^(mongodb(?:\+srv)?):\/\//i;
/** Option names whose values are secrets. */
const SECRET_OPTION = /pass|secret|token|key|credential|authmechanismproperties/i;

interface ParsedUri {
  readonly scheme: string; // 'mongodb' | 'mongodb+srv' | '' when not a MongoDB URI
  readonly username: string | null;
  readonly hasCredentials: boolean;
  readonly hosts: string[];
  readonly path: string; // '/dbname' or ''
  readonly query: string; // without '?', or ''
}

function parse(uri: string): ParsedUri {
  const scheme = SCHEME.exec(uri);
  if (!scheme) return { scheme: '', username: null, hasCredentials: uri.includes('@'), hosts: [], path: '', query: '' };
  const rest = uri.slice(scheme[0].length);
  const at = credentialsEnd(rest);
  const userinfo = at >= 0 ? rest.slice(0, at) : null;
  const afterCreds = at >= 0 ? rest.slice(at + 1) : rest;
  const hostEnd = firstIndexOf(afterCreds, '/?');
  const hostPart = afterCreds.slice(0, hostEnd);
  const tail = afterCreds.slice(hostEnd);
  const q = tail.indexOf('?');
  const path = q >= 0 ? tail.slice(0, q) : tail;
  const query = q >= 0 ? tail.slice(q + 1) : '';
  const username = userinfo === null ? null : safeDecode(userinfo.split(':')[0] ?? '');
  return {
    scheme: scheme[1]!.toLowerCase(),
    username,
    hasCredentials: userinfo !== null,
    hosts: hostPart.split(',').filter((h) => h.length > 0),
    path: path === '/' ? '' : path,
    query,
  };
}

/**
 * Index of the '@' that ends the credentials, or -1. Hosts never contain '@' but a malformed password may, so the
 * LAST '@' is the separator, except an '@' inside the query string (appName=me@host&...): what follows such an '@'
 * contains '=' or '&', which a host list never does. When in doubt this hides too much, never too little.
 */
function credentialsEnd(rest: string): number {
  for (let i = rest.lastIndexOf('@'); i >= 0; i = i > 0 ? rest.lastIndexOf('@', i - 1) : -1) {
    const after = rest.slice(i + 1);
    const hostSection = after.slice(0, firstIndexOf(after, '/?'));
    if (!/[=&]/.test(hostSection)) return i;
  }
  return -1;
}

function firstIndexOf(s: string, chars: string): number {
  for (let i = 0; i < s.length; i++) if (chars.includes(s[i]!)) return i;
  return s.length;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The URI with the password replaced by `***` and secret option values hidden; safe to print. */
export function redactMongoUri(uri: string): string {
  const p = parse(uri);
  if (p.scheme === '') return '<not a mongodb:// or mongodb+srv:// URI>';
  const creds = p.hasCredentials ? `${encodeURIComponent(p.username ?? '')}:***@` : '';
  const query = p.query
    .split('&')
    .filter((kv) => kv.length > 0)
    .map((kv) => {
      const eq = kv.indexOf('=');
      const name = eq >= 0 ? kv.slice(0, eq) : kv;
      return SECRET_OPTION.test(name) ? `${name}=***` : kv;
    })
    .join('&');
  return `${p.scheme}://${creds}${p.hosts.join(',')}${p.path}${query ? `?${query}` : ''}`;
}

/** The host list ("host1:27017,host2:27017" or the SRV name), for messages such as "cannot reach ...". */
export function mongoHostsOf(uri: string): string {
  const p = parse(uri);
  return p.hosts.length > 0 ? p.hosts.join(',') : '<unknown host>';
}

/** The password of a connection string (raw and URL-decoded forms), for secret lists; empty when there is none. */
export function mongoPasswordsOf(uri: string): string[] {
  if (parse(uri).scheme === '') return [];
  const rest = uri.replace(SCHEME, '');
  const end = credentialsEnd(rest);
  if (end < 0) return [];
  const userinfo = rest.slice(0, end);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return [];
  const raw = userinfo.slice(colon + 1);
  return [...new Set([raw, safeDecode(raw)])].filter((s) => s.length > 0);
}

/**
 * Removes anything password-like from a message that may quote the URI (driver errors sometimes do): the password
 * itself (raw and URL-decoded) and any whole connection string, replaced by its redacted form.
 */
export function scrubMongoSecrets(message: string, uri: string): string {
  let out = message;
  for (const secret of mongoPasswordsOf(uri)) out = out.split(secret).join('***');
  out = out.replace(/mongodb(?:\+srv)?:\/\/[^\s"'<>]+/gi, (m) => redactMongoUri(m));
  return out;
}
