import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../core/errors.js';
import { type Acl, type AclIdentity, checkAcl, identityProblem, parseAclFile } from './acl.js';

/** The line number a parse error names, after checking that it is the ACL file error. */
function failingLine(text: string): number {
  try {
    parseAclFile(text, 'test.acl');
  } catch (err) {
    assert.ok(isLabError(err, 'ERR_BROKER_ACL_FILE'), String(err));
    assert.equal(err.details?.file, 'test.acl');
    assert.match(err.message, new RegExp(`^test\\.acl:${String(err.details?.line)}: `));
    return err.details?.line as number;
  }
  assert.fail(`accepted: ${JSON.stringify(text)}`);
}

const who = (username: string | undefined, clientId = 'c1'): AclIdentity => ({ username, clientId });
const may = (acl: Acl, id: AclIdentity, action: 'read' | 'write', topic: string) =>
  checkAcl(acl, id, action, topic).allowed;

test('every malformed line is an ERR_BROKER_ACL_FILE naming its line (Mosquitto refuses to start)', () => {
  const cases: readonly [string, string][] = [
    ['no username', 'user'],
    ['only spaces after user', 'user   '],
    ['empty topic', 'topic'],
    ['empty pattern', 'pattern'],
    ['unknown access type', 'topic sometimes a/b'],
    ['# not last', 'topic read a/#/b'],
    ['+ inside a level', 'topic read a+/b'],
    ['pattern with an invalid filter', 'pattern write #/%u'],
    ['unknown keyword', 'frobnicate x'],
    ['indented comment', '  # comment'],
    ['tab as separator', 'topic\tread a/b'],
  ];
  for (const [why, line] of cases) {
    assert.equal(failingLine(`# header\n\nuser alice\n${line}\ntopic read ok\n`), 4, why);
  }
  assert.equal(failingLine('topic read a\r\ntopic bad a/b\r\n'), 2, 'CRLF lines count like LF lines');
});

test('quirks Mosquitto accepts: one word is the topic, extra spaces, spaces inside topic and username', () => {
  const acl = parseAclFile(
    [
      'topic read',
      'topic deny',
      '  topic  write   a b/c   ',
      'user  bob smith',
      'topic read x\r',
      'pattern write a//%u',
    ].join('\n'),
  );
  assert.deepEqual(
    acl.anonymous.map((r) => [r.access, r.filter]),
    [
      ['readwrite', 'read'],
      ['readwrite', 'deny'],
      ['write', 'a b/c'],
    ],
  );
  assert.deepEqual([...acl.users.keys()], ['bob smith']);
  assert.deepEqual(acl.users.get('bob smith')![0], { access: 'read', filter: 'x', line: 5 });
  assert.deepEqual(acl.patterns, [{ access: 'write', filter: 'a//%u', line: 6 }]);
});

test('topic lines before any user line are the anonymous list; later ones belong to the last user', () => {
  const acl = parseAclFile(
    [
      'topic read public/#',
      'user alice',
      'topic alice/#',
      'pattern read devices/%u/#',
      'user bob',
      'topic write bob/out',
      'user alice',
      'topic read shared/#',
    ].join('\n'),
  );
  assert.deepEqual(acl.anonymous, [{ access: 'read', filter: 'public/#', line: 1 }]);
  // A user named twice has one list; a pattern inside a user block is still a pattern.
  assert.deepEqual(
    acl.users.get('alice')?.map((r) => r.filter),
    ['alice/#', 'shared/#'],
  );
  assert.deepEqual(
    acl.users.get('bob')?.map((r) => r.filter),
    ['bob/out'],
  );
  assert.deepEqual(
    acl.patterns.map((r) => r.filter),
    ['devices/%u/#'],
  );
});

test('deny lines go first in each list, wherever they stand (Mosquitto add__acl)', () => {
  const acl = parseAclFile(
    [
      'topic read a/#',
      'topic deny a/secret',
      'user alice',
      'topic readwrite alice/#',
      'topic deny alice/private/#',
      'pattern readwrite devices/%u/#',
      'pattern deny devices/%u/blocked',
    ].join('\n'),
  );
  assert.deepEqual(
    acl.anonymous.map((r) => r.line),
    [2, 1],
  );
  assert.deepEqual(
    acl.users.get('alice')?.map((r) => r.line),
    [5, 4],
  );
  assert.deepEqual(
    acl.patterns.map((r) => r.line),
    [7, 6],
  );
  assert.equal(may(acl, who(undefined), 'read', 'a/b'), true);
  assert.deepEqual(checkAcl(acl, who(undefined), 'read', 'a/secret'), {
    allowed: false,
    rule: { access: 'deny', filter: 'a/secret', line: 2 },
    why: 'denied',
  });
  assert.equal(may(acl, who('alice'), 'write', 'alice/private/key'), false);
  assert.equal(may(acl, who('alice'), 'write', 'devices/alice/blocked'), false);
  assert.equal(may(acl, who('alice'), 'write', 'devices/alice/temp'), true);
});

const LAB = parseAclFile(
  [
    'topic read public/#',
    'user m5go-publisher',
    'topic write m5go/env',
    'user m5stack-subscriber',
    'topic read m5go/env',
    'user sysmon',
    'topic read $SYS/#',
    'user bob',
    'topic read devices/#',
    'user admin',
    'topic readwrite #',
    'pattern readwrite devices/%u/#',
    'pattern deny devices/%u/blocked',
    'pattern read clients/%c/in',
    'pattern write logs/%u.log',
  ].join('\n'),
);

test('checkAcl: read, write and readwrite grant only what they say', () => {
  assert.equal(may(LAB, who('m5go-publisher'), 'write', 'm5go/env'), true);
  assert.equal(may(LAB, who('m5go-publisher'), 'read', 'm5go/env'), false);
  assert.equal(may(LAB, who('m5stack-subscriber'), 'read', 'm5go/env'), true);
  assert.equal(may(LAB, who('m5stack-subscriber'), 'write', 'm5go/env'), false);
  assert.equal(may(LAB, who('admin'), 'write', 'any/thing'), true);
  assert.equal(may(LAB, who('admin'), 'read', 'any/thing'), true);
});

test('checkAcl: the anonymous list is for clients without a username only', () => {
  assert.equal(may(LAB, who(undefined), 'read', 'public/news'), true);
  assert.equal(may(LAB, who('m5go-publisher'), 'read', 'public/news'), false);
  // A user absent from the file has the patterns, not the anonymous list.
  assert.deepEqual(checkAcl(LAB, who('mallory'), 'read', 'public/news'), {
    allowed: false,
    rule: undefined,
    why: 'no-grant',
  });
});

test('checkAcl: $ topics match only filters that start with $ (# and + never reach $SYS)', () => {
  assert.equal(may(LAB, who('sysmon'), 'read', '$SYS/broker/version'), true);
  assert.equal(may(LAB, who('admin'), 'read', '$SYS/broker/version'), false);
  assert.equal(may(LAB, who('admin'), 'write', '$SYS/broker/version'), false);
});

test("checkAcl: the user's own list decides before the patterns, whose deny comes first", () => {
  // bob's `topic read devices/#` grants before `pattern deny devices/%u/blocked` is reached…
  assert.equal(may(LAB, who('bob'), 'read', 'devices/bob/blocked'), true);
  // …but grants no write, so the patterns decide that, deny first.
  const write = checkAcl(LAB, who('bob'), 'write', 'devices/bob/blocked');
  assert.deepEqual(write, {
    allowed: false,
    rule: { access: 'deny', filter: 'devices/%u/blocked', line: 13 },
    why: 'denied',
  });
  assert.equal(may(LAB, who('bob'), 'write', 'devices/bob/temp'), true);
});

test('checkAcl: %u is the username, %c the client id, wherever they stand in a level', () => {
  assert.equal(may(LAB, who('alice'), 'write', 'devices/alice/x/y'), true);
  assert.equal(may(LAB, who('alice'), 'write', 'devices/bob/x'), false);
  assert.equal(may(LAB, who('alice'), 'write', 'logs/alice.log'), true);
  assert.equal(may(LAB, who('alice', 'dev-7'), 'read', 'clients/dev-7/in'), true);
  assert.equal(may(LAB, who('alice', 'dev-7'), 'write', 'clients/dev-7/in'), false);
  assert.equal(may(LAB, who(undefined, 'dev-7'), 'read', 'clients/dev-7/in'), true);
  // Without a username, a %u pattern does not apply: not to the client id, not literally.
  assert.equal(may(LAB, who(undefined, 'alice'), 'write', 'devices/alice/x'), false);
  assert.equal(may(LAB, who(undefined), 'write', 'logs/%u.log'), false);
  assert.equal(may(LAB, who('alice'), 'write', 'logs/%u.log'), false);
  // "%%c" is a '%' then the client id, as in Mosquitto's single left-to-right pass.
  const pct = parseAclFile('pattern read x/%%c');
  assert.equal(may(pct, who(undefined, 'k'), 'read', 'x/%k'), true);
});

test('checkAcl: an identity with + or # has no pattern access at all (CVE-2017-7650)', () => {
  for (const id of [who('eve', 'a+b'), who('eve', '#'), who('ev+e'), who('e#')]) {
    const d = checkAcl(LAB, id, 'write', `devices/${id.username ?? 'x'}/temp`);
    assert.deepEqual(d, { allowed: false, rule: undefined, why: 'dangerous-identity' });
    assert.match(identityProblem(id) ?? '', /contains \+ or #/);
  }
  // Its own list still applies.
  assert.equal(may(LAB, who(undefined, 'a+b'), 'read', 'public/news'), true);
});

test('checkAcl: an identity holding / or NUL never matches a pattern (deliberately stricter than Mosquitto)', () => {
  assert.equal(may(LAB, who('alice/x'), 'write', 'devices/alice/x/temp'), false);
  assert.equal(may(LAB, who('alice\u0000x'), 'write', 'devices/alice\u0000x/temp'), false);
  assert.equal(may(LAB, who(undefined, 'a/b'), 'read', 'clients/a/b/in'), false);
  assert.match(identityProblem(who('alice/x')) ?? '', /level separator/);
  // Only the value substituted matters: a '/' in the client id leaves %u patterns alone.
  assert.equal(may(LAB, who('alice', 'a/b'), 'write', 'devices/alice/temp'), true);
  // A lookalike of '/' is an ordinary character, compared as it is (no normalization).
  assert.equal(may(LAB, who('alice\uFF0Fx'), 'write', 'devices/alice\uFF0Fx/temp'), true);
  assert.equal(may(LAB, who('alice\uFF0Fx'), 'write', 'devices/alice/x/temp'), false);
  assert.equal(identityProblem(who('alice\u2215x')), undefined);
});

test('checkAcl: no file line grants it → denied; no patterns and no list → denied', () => {
  const empty = parseAclFile('# nothing\n');
  assert.deepEqual(checkAcl(empty, who('alice'), 'read', 'a'), {
    allowed: false,
    rule: undefined,
    why: 'no-grant',
  });
  const ok = checkAcl(LAB, who('m5go-publisher'), 'write', 'm5go/env');
  assert.deepEqual(ok, { allowed: true, rule: { access: 'write', filter: 'm5go/env', line: 3 } });
});
