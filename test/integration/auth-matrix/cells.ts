// The auth matrix's model: the 16 configurations, the client columns, the cell notation of
// docs/broker-auth.md, and a reader for that document's tables, so the doc is checked against
// what the brokers do instead of being trusted.
import { PASSWORD, USER } from './fixtures.js';

export interface AuthConfig {
  readonly requireCertificate: boolean;
  readonly useIdentityAsUsername: boolean;
  readonly allowAnonymous: boolean;
  readonly passwordFile: boolean;
}

const BOOLS = [false, true] as const;
export const CONFIGS: readonly AuthConfig[] = BOOLS.flatMap((requireCertificate) =>
  BOOLS.flatMap((useIdentityAsUsername) =>
    BOOLS.flatMap((allowAnonymous) =>
      BOOLS.map((passwordFile) => ({
        requireCertificate,
        useIdentityAsUsername,
        allowAnonymous,
        passwordFile,
      })),
    ),
  ),
);

export const configName = (c: AuthConfig): string =>
  `require_certificate ${c.requireCertificate}, use_identity_as_username ${c.useIdentityAsUsername}, ` +
  `allow_anonymous ${c.allowAnonymous}, password_file ${c.passwordFile ? 'yes' : 'none'}`;

export type Identity = 'client' | 'otherCaClient' | 'expired' | 'noCn' | 'revoked' | 'notYetValid';

export interface Credential {
  /** The column letter in docs/broker-auth.md. */
  readonly column: string;
  readonly label: string;
  readonly identity?: Identity;
  readonly username?: string;
  readonly password?: string;
}

export const CREDENTIALS: readonly Credential[] = [
  { column: 'a', label: 'nothing' },
  { column: 'b', label: 'valid certificate', identity: 'client' },
  { column: 'c', label: 'certificate from another CA', identity: 'otherCaClient' },
  { column: 'd', label: 'expired certificate', identity: 'expired' },
  { column: 'e', label: 'valid certificate without CN', identity: 'noCn' },
  {
    column: 'f',
    label: 'certificate + right password',
    identity: 'client',
    username: USER,
    password: PASSWORD,
  },
  {
    column: 'g',
    label: 'certificate + wrong password',
    identity: 'client',
    username: USER,
    password: 'wrong',
  },
  {
    column: 'h',
    label: 'certificate + unknown user',
    identity: 'client',
    username: 'bob',
    password: PASSWORD,
  },
  { column: 'i', label: 'no certificate + right password', username: USER, password: PASSWORD },
  { column: 'j', label: 'no certificate + wrong password', username: USER, password: 'wrong' },
  { column: 'k', label: 'revoked certificate (crlfile)', identity: 'revoked' },
  { column: 'l', label: 'not-yet-valid certificate', identity: 'notYetValid' },
];

/** What one broker did with one attempt: the layer that answered, and the username it logged. */
export type Result =
  | { readonly kind: 'tls'; readonly alert: string | null }
  | { readonly kind: 'error'; readonly error: string }
  | { readonly kind: 'connack'; readonly code: number; readonly user?: string | null };

/**
 * The doc's notation, from the MQTT 3.1.1 result: `TLS`, the CONNACK return code, or `✓` and
 * the effective username (`–` none). `✓†` marks a username taken as sent: accepted with no
 * password_file to check it against.
 */
export function cellText(config: AuthConfig, cred: Credential, r: Result): string {
  if (r.kind === 'tls') return 'TLS';
  if (r.kind === 'error') return `error(${r.error})`;
  if (r.code !== 0) return String(r.code);
  if (r.user === undefined) return '✓ ?';
  if (r.user === null) return '✓ –';
  const unchecked = !config.passwordFile && !config.useIdentityAsUsername && r.user === cred.username;
  return `${unchecked ? '✓†' : '✓'} ${r.user}`;
}

export type Row = readonly string[];
const key = (c: AuthConfig): string =>
  [c.requireCertificate, c.useIdentityAsUsername, c.allowAnonymous, c.passwordFile].join('/');

/** The observed cells as the doc's tables: one per require_certificate value, `any` where rows coincide. */
export function formatTables(cells: ReadonlyMap<string, Row>): string {
  const out: string[] = [];
  const header = CREDENTIALS.map((c) => c.column);
  for (const requireCertificate of BOOLS) {
    out.push(`### \`require_certificate ${requireCertificate}\``, '');
    out.push(
      `| \`use_identity_as_username\` | \`allow_anonymous\` | \`password_file\` | ${header.join(' | ')} |`,
    );
    out.push(`|---|---|---|${header.map(() => '---|').join('')}`);
    for (const useIdentityAsUsername of BOOLS) {
      const group = CONFIGS.filter(
        (c) =>
          c.requireCertificate === requireCertificate && c.useIdentityAsUsername === useIdentityAsUsername,
      );
      const rows = group.map((c) => cells.get(key(c)) ?? header.map(() => '?'));
      const same = rows.every((r) => r.join('|') === rows[0]!.join('|'));
      if (same) {
        out.push(`| ${useIdentityAsUsername} | any | any | ${rows[0]!.join(' | ')} |`);
        continue;
      }
      group.forEach((c, i) =>
        out.push(
          `| ${useIdentityAsUsername} | ${c.allowAnonymous} | ${c.passwordFile ? 'yes' : '—'} | ${rows[i]!.join(' | ')} |`,
        ),
      );
    }
    out.push('');
  }
  return out.join('\n');
}

export function cellKey(c: AuthConfig): string {
  return key(c);
}

/**
 * The cells docs/broker-auth.md claims, keyed like `cellKey`: the two `require_certificate`
 * tables, `any` expanded to both values. Columns are matched by their header letter.
 */
export function readDocTables(markdown: string): Map<string, Row> {
  const cells = new Map<string, Row>();
  for (const requireCertificate of BOOLS) {
    const heading = `### \`require_certificate ${requireCertificate}\``;
    const start = markdown.indexOf(heading);
    if (start < 0) throw new Error(`docs/broker-auth.md has no "${heading}" table`);
    const lines = markdown.slice(start + heading.length).split('\n');
    const table = lines.slice(lines.findIndex((l) => l.startsWith('|')));
    const rows: string[][] = [];
    for (const line of table) {
      if (!line.startsWith('|')) break;
      rows.push(
        line
          .split('|')
          .slice(1, -1)
          .map((s) => s.trim()),
      );
    }
    const letters = rows[0]!.slice(3);
    for (const row of rows.slice(2)) {
      const [uiu, anon, pf, ...values] = row;
      const byColumn = new Map(letters.map((l, i) => [l, values[i] ?? '?']));
      const pick = (v: string | undefined, yes: string) => (v === 'any' ? BOOLS : [v === yes]);
      for (const useIdentityAsUsername of pick(uiu, 'true')) {
        for (const allowAnonymous of pick(anon, 'true')) {
          for (const passwordFile of pick(pf, 'yes')) {
            const config = { requireCertificate, useIdentityAsUsername, allowAnonymous, passwordFile };
            cells.set(
              key(config),
              CREDENTIALS.map((c) => byColumn.get(c.column) ?? '(missing)'),
            );
          }
        }
      }
    }
  }
  return cells;
}
