// Where our ACL differs from Mosquitto 2.0.11 on purpose, run against our broker alone (started
// in process, so its typed events can be read): an identity holding a '/' never matches a
// pattern. Mosquitto substitutes it as it is, so username "alice/x" with
// `pattern readwrite devices/%u/#` reaches devices/alice/x/…, inside alice's subtree (and
// client id "a/b" reaches clients/a/b/in through `pattern read clients/%c/in`).
// Unicode lookalikes of '/' are ordinary characters: such an identity gets its own single level
// and nothing else, with no normalization that would turn it into another identity.
import type { TimedSecurityEvent } from '../../../src/broker/events.js';

export const DELIBERATE_ACL = `user admin
topic readwrite #

pattern readwrite devices/%u/#
pattern deny devices/%u/blocked
pattern read clients/%c/in
`;
/** The line of `pattern deny devices/%u/blocked` above, which a denial event must name. */
export const DENY_LINE = 5;

export type AclDenied = Extract<TimedSecurityEvent, { type: 'acl-denied' }>;

/** What a denial event must say; compared as a multiset with what the broker emitted. */
export interface ExpectedDenial {
  readonly clientId: string;
  readonly username: string | undefined;
  readonly action: 'publish' | 'receive' | 'will';
  readonly topic: string;
}

export const denialKey = (d: ExpectedDenial): string =>
  JSON.stringify([d.action, d.clientId, d.username ?? null, d.topic]);

/** Identities that look like another, or like two levels. */
export const ODD_IDENTITIES: readonly { readonly name: string; readonly value: string }[] = [
  { name: 'U+2215 DIVISION SLASH', value: 'alice\u2215x' },
  { name: 'U+FF0F FULLWIDTH SOLIDUS', value: 'alice\uFF0Fx' },
  { name: 'U+200D ZERO WIDTH JOINER', value: 'ali\u200Dce' },
  { name: 'U+0301 COMBINING ACUTE ACCENT', value: 'jose\u0301' },
];

/**
 * The identities `value` could be mistaken for: its normalization forms (NFKC turns U+FF0F
 * into '/'), the string without format and combining characters, and what it imitates.
 */
export function lookalikes(value: string): string[] {
  const forms = [
    value.normalize('NFC'),
    value.normalize('NFKC'),
    value.normalize('NFKD'),
    value.replace(/[\p{Cf}\p{M}]/gu, ''),
    value.replace(/[\u2215\uFF0F]/g, '/'),
    'alice',
    'alice\u2215x',
  ];
  return [...new Set(forms)].filter((f) => f !== value);
}
