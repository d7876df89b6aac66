import { LabError } from '../core/errors.js';
import { topicMatches, validateTopicFilter } from '../wire/mqtt/topic.js';

/** What an ACL line grants; 'deny' refuses both and wins over any grant (Mosquitto 2.0). */
export type AclAccess = 'read' | 'write' | 'readwrite' | 'deny';

export interface AclRule {
  readonly access: AclAccess;
  readonly filter: string;
  /** File line, for the reason given in a denial event. */
  readonly line: number;
}

export interface Acl {
  /** `topic` lines before any `user` line: clients without a username. */
  readonly anonymous: readonly AclRule[];
  readonly users: ReadonlyMap<string, readonly AclRule[]>;
  /** `pattern` lines, wherever they stand: every client, with %c and %u substituted. */
  readonly patterns: readonly AclRule[];
}

/** Who asks: the effective username the listener derived (certificate CN…) and the client id. */
export interface AclIdentity {
  readonly username: string | undefined;
  readonly clientId: string;
}

export type AclDecision =
  | { readonly allowed: true; readonly rule: AclRule }
  | {
      readonly allowed: false;
      /** The deny line that matched, or undefined for "no line grants it" (deny by default). */
      readonly rule: AclRule | undefined;
      readonly why: 'denied' | 'no-grant' | 'dangerous-identity';
    };

/**
 * Parse an ACL file in Mosquitto's syntax (mosquitto.conf(5), acl_file):
 * `user NAME`, `topic [read|write|readwrite|deny] FILTER`, `pattern [...] FILTER`, `#` comments.
 * A malformed line is an error naming it; Mosquitto refuses to start on one too.
 */
export function parseAclFile(text: string, file = 'acl_file'): Acl {
  const anonymous: AclRule[] = [];
  const users = new Map<string, AclRule[]>();
  const patterns: AclRule[] = [];
  let user: string | undefined;
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const lineNo = i + 1;
    const line = raw.replace(/\s+$/, '');
    if (line.length === 0 || line.startsWith('#')) continue;
    const fail = (problem: string): never => {
      throw new LabError('ERR_BROKER_ACL_FILE', `${file}:${lineNo}: ${problem}`, {
        details: { file, line: lineNo },
      });
    };
    // Mosquitto splits on spaces only; leading spaces are skipped by strtok.
    const m = /^ *(\S+)(?: +(.*))?$/.exec(line);
    const keyword = m?.[1];
    const rest = m?.[2]?.trim() ?? '';
    if (keyword === 'user') {
      if (rest.length === 0) fail('missing username after "user"');
      user = rest;
      continue;
    }
    if (keyword !== 'topic' && keyword !== 'pattern') {
      fail(`invalid line "${line}": expected user, topic or pattern`);
      return { anonymous, users, patterns }; // unreachable: fail throws
    }
    if (rest.length === 0) fail(`empty topic after "${keyword}"`);
    const words = /^(\S+)(?: +(.*))?$/.exec(rest)!;
    let access: AclAccess = 'readwrite';
    let filter = rest;
    if (words[2] !== undefined) {
      const word = words[1]!;
      if (word !== 'read' && word !== 'write' && word !== 'readwrite' && word !== 'deny') {
        fail(`invalid access type "${word}" (read, write, readwrite or deny)`);
      }
      access = word as AclAccess;
      filter = words[2].trim();
    }
    const problem = validateTopicFilter(filter);
    if (problem) fail(`invalid ACL topic "${filter}": ${problem.message}`);
    const rule: AclRule = { access, filter, line: lineNo };
    const list =
      keyword === 'pattern'
        ? patterns
        : user === undefined
          ? anonymous
          : (users.get(user) ?? users.set(user, []).get(user)!);
    // Mosquitto puts deny lines first (security_default.c add__acl), so a deny always wins.
    if (access === 'deny') list.unshift(rule);
    else list.push(rule);
  }
  return { anonymous, users, patterns };
}

const DANGEROUS_IN_PATTERN = /[+#]/;
// A '/' in an identity would let `pattern readwrite devices/%u/#` reach another identity's
// subtree (username "alice/x" → devices/alice/x/#, inside alice's). Mosquitto only refuses + and #.
const SPLITS_LEVEL = { test: (value: string) => value.includes('/') || value.includes('\u0000') };

/**
 * May `identity` do `action` on `topic`? Mosquitto 2.0.11's order (security_default.c
 * mosquitto_acl_check_default): the client's own list (its user's, or the anonymous list),
 * deny lines first; then the patterns, deny first; no matching grant: denied.
 */
export function checkAcl(
  acl: Acl,
  identity: AclIdentity,
  action: 'read' | 'write',
  topic: string,
): AclDecision {
  const own = identity.username === undefined ? acl.anonymous : acl.users.get(identity.username);
  for (const rule of own ?? []) {
    // "If subscription starts with $, acl_root->topic must also start with $."
    if (topic.startsWith('$') && !rule.filter.startsWith('$')) continue;
    if (!topicMatches(rule.filter, topic)) continue;
    if (rule.access === 'deny') return { allowed: false, rule, why: 'denied' };
    if (grants(rule.access, action)) return { allowed: true, rule };
  }
  if (acl.patterns.length === 0) return { allowed: false, rule: undefined, why: 'no-grant' };
  // CVE-2017-7650: an identity holding a wildcard would match every pattern it is substituted into.
  if (
    (identity.username !== undefined && DANGEROUS_IN_PATTERN.test(identity.username)) ||
    DANGEROUS_IN_PATTERN.test(identity.clientId)
  ) {
    return { allowed: false, rule: undefined, why: 'dangerous-identity' };
  }
  for (const rule of acl.patterns) {
    const filter = substitute(rule.filter, identity);
    if (filter === undefined) continue;
    if (topic.startsWith('$') !== filter.startsWith('$')) continue;
    if (!topicMatches(filter, topic)) continue;
    if (rule.access === 'deny') return { allowed: false, rule, why: 'denied' };
    if (grants(rule.access, action)) return { allowed: true, rule };
  }
  return { allowed: false, rule: undefined, why: 'no-grant' };
}

function grants(access: AclAccess, action: 'read' | 'write'): boolean {
  return access === 'readwrite' || access === action;
}

/**
 * The pattern with %c and %u put in wherever they stand, as Mosquitto does (`logs/%u.log` too:
 * left as it is, the literal `%u` would grant that topic to everyone); undefined when the rule
 * cannot apply to this identity: %u without a username (Mosquitto skips the rule), or an identity
 * substituted here that is empty or holds a '/' or NUL, so that it never reaches past its own level.
 */
function substitute(filter: string, identity: AclIdentity): string | undefined {
  if (!filter.includes('%')) return filter;
  const values = { c: identity.clientId, u: identity.username };
  for (const which of ['c', 'u'] as const) {
    if (!filter.includes(`%${which}`)) continue;
    const value = values[which];
    if (value === undefined || value.length === 0 || SPLITS_LEVEL.test(value)) return undefined;
  }
  // One left-to-right pass, like Mosquitto's: "%%c" is "%" and the client id.
  return filter.replace(/%([cu])/g, (_, which: 'c' | 'u') => values[which]!);
}

/** Why an identity cannot use patterns safely, for the security log; undefined if it can. */
export function identityProblem(identity: AclIdentity): string | undefined {
  for (const [what, value] of [
    ['username', identity.username],
    ['client id', identity.clientId],
  ] as const) {
    if (value === undefined) continue;
    if (DANGEROUS_IN_PATTERN.test(value)) return `${what} "${value}" contains + or #`;
    if (SPLITS_LEVEL.test(value)) return `${what} "${value}" contains a level separator`;
  }
  return undefined;
}
