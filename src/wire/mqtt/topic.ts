/**
 * Topic Names and Topic Filters (MQTT 3.1.1 §4.7, 5.0 §4.7/§4.8): validation and the reference
 * matcher. Validation runs on every PUBLISH, so each check is one pass over char codes: no regex,
 * no split, no allocation unless there is a problem to report.
 *
 * The codec hands us JS strings already decoded from UTF-8, so "well-formed UTF-8" here means "no
 * lone UTF-16 surrogate" (a decoder that substituted U+FFFD has already hidden the fault; the
 * codec must decode with `fatal: true` for this check to be complete).
 */

/** The spec statement a topic breaks; stable, so callers and tests switch on it, not on text. */
export type TopicRule =
  | 'MQTT-1.5.3-1'
  | 'MQTT-1.5.3'
  | 'MQTT-3.3.2-2'
  | 'MQTT-4.7.1-2'
  | 'MQTT-4.7.1-3'
  | 'MQTT-4.7.3-1'
  | 'MQTT-4.7.3-2'
  | 'MQTT-4.7.3-3'
  | 'MQTT-4.8.2-1'
  | 'MQTT-4.8.2-2';

export interface TopicProblem {
  readonly rule: TopicRule;
  readonly message: string;
}

/** `$share/{group}/{filter}`, parsed (MQTT 5.0 §4.8.2). */
export type SharedSubscriptionParse =
  | { readonly ok: true; readonly group: string; readonly filter: string }
  | { readonly ok: false; readonly problem: TopicProblem };

const SLASH = 0x2f;
const PLUS = 0x2b;
const HASH = 0x23;
const DOLLAR = 0x24;
const MAX_BYTES = 65535;
const SHARE_PREFIX = '$share/';

type Wildcards = 'forbidden' | 'filter' | 'share-name';

const problem = (rule: TopicRule, message: string): TopicProblem => ({ rule, message });

/**
 * Checks s[start, end) and returns its UTF-8 length in bytes, or the first problem.
 *
 * U+0001..U+001F, U+007F..U+009F and the Unicode non-characters are a SHOULD NOT in MQTT 3.1.1
 * §1.5.3 / 5.0 §1.5.4 with no statement number. We reject them, as Mosquitto 2.0 does:
 * `packet__read_string` (lib/packet_datatypes.c) runs `mosquitto_validate_utf8` (lib/utf8_mosq.c)
 * on every string, topic or filter, and that refuses exactly these code points as malformed.
 */
function scan(s: string, start: number, end: number, wildcards: Wildcards): TopicProblem | number {
  let bytes = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      bytes += 1;
      if (c === PLUS || c === HASH) {
        const wild = wildcardProblem(s, start, end, i, c, wildcards);
        if (wild !== undefined) return wild;
      } else if (c === 0) {
        return problem('MQTT-4.7.3-2', `U+0000 at index ${i}`);
      } else if (c < 0x20 || c === 0x7f) {
        return problem('MQTT-1.5.3', `control character U+${hex(c)} at index ${i}`);
      }
    } else if (c < 0x800) {
      bytes += 2;
      if (c <= 0x9f) return problem('MQTT-1.5.3', `control character U+${hex(c)} at index ${i}`);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const low = i + 1 < end ? s.charCodeAt(i + 1) : 0;
      // [MQTT-1.5.3-1] (5.0: [MQTT-1.5.4-1]): no encoding of U+D800..U+DFFF, i.e. no lone half.
      if (c >= 0xdc00 || low < 0xdc00 || low > 0xdfff) {
        return problem('MQTT-1.5.3-1', `lone UTF-16 surrogate U+${hex(c)} at index ${i}`);
      }
      // U+nFFFE and U+nFFFF in the supplementary planes are non-characters too.
      if ((c & 0x3f) === 0x3f && (low & 0x3ff) >= 0x3fe) {
        return problem('MQTT-1.5.3', `non-character at index ${i}`);
      }
      bytes += 4;
      i++;
    } else {
      bytes += 3;
      if ((c >= 0xfdd0 && c <= 0xfdef) || c >= 0xfffe) {
        return problem('MQTT-1.5.3', `non-character U+${hex(c)} at index ${i}`);
      }
    }
  }
  return bytes;
}

function wildcardProblem(
  s: string,
  start: number,
  end: number,
  i: number,
  c: number,
  wildcards: Wildcards,
): TopicProblem | undefined {
  const char = String.fromCharCode(c);
  if (wildcards === 'forbidden') return problem('MQTT-3.3.2-2', `wildcard '${char}' in a topic name`);
  if (wildcards === 'share-name') return problem('MQTT-4.8.2-2', `'${char}' in a share name`);
  const aloneBefore = i === start || s.charCodeAt(i - 1) === SLASH;
  if (c === HASH) {
    if (!aloneBefore || i !== end - 1) {
      return problem('MQTT-4.7.1-2', `'#' at index ${i} is not alone in the last level`);
    }
  } else if (!aloneBefore || (i + 1 !== end && s.charCodeAt(i + 1) !== SLASH)) {
    return problem('MQTT-4.7.1-3', `'+' at index ${i} does not occupy a whole level`);
  }
  return undefined;
}

function finish(result: TopicProblem | number): TopicProblem | undefined {
  if (typeof result !== 'number') return result;
  return result > MAX_BYTES ? problem('MQTT-4.7.3-3', `${result} UTF-8 bytes, over 65535`) : undefined;
}

const hex = (c: number): string => c.toString(16).toUpperCase().padStart(4, '0');

/**
 * A PUBLISH / Will Topic Name. Policy about which names a client may publish to (`$SYS/...`) is
 * the broker's authorization hook, not a syntax rule.
 */
export function validateTopicName(name: string): TopicProblem | undefined {
  if (name.length === 0) return problem('MQTT-4.7.3-1', 'topic name is empty');
  // Every UTF-16 unit is at least one UTF-8 byte: reject before scanning a huge string.
  if (name.length > MAX_BYTES) return problem('MQTT-4.7.3-3', `${name.length} characters, over 65535 bytes`);
  return finish(scan(name, 0, name.length, 'forbidden'));
}

/** A SUBSCRIBE / UNSUBSCRIBE Topic Filter, not shared: run `parseSharedSubscription` first. */
export function validateTopicFilter(filter: string): TopicProblem | undefined {
  if (filter.length === 0) return problem('MQTT-4.7.3-1', 'topic filter is empty');
  if (filter.length > MAX_BYTES) {
    return problem('MQTT-4.7.3-3', `${filter.length} characters, over 65535 bytes`);
  }
  return finish(scan(filter, 0, filter.length, 'filter'));
}

/**
 * `undefined` when the filter is not a shared subscription: it does not start with `$share/`, so
 * `$share` alone or `$shared/x` is an ordinary filter. Otherwise the group and the inner filter, or
 * the rule the whole string breaks. Stricter than Mosquitto 2.0.11, which grants `$share//a`,
 * `$share/g` and `$share/+/a`: [MQTT-4.8.2-1] and [MQTT-4.8.2-2] are MUSTs.
 */
export function parseSharedSubscription(filter: string): SharedSubscriptionParse | undefined {
  if (!filter.startsWith(SHARE_PREFIX)) return undefined;
  const bad = (p: TopicProblem): SharedSubscriptionParse => ({ ok: false, problem: p });
  if (filter.length > MAX_BYTES) {
    return bad(problem('MQTT-4.7.3-3', `${filter.length} characters, over 65535 bytes`));
  }
  const start = SHARE_PREFIX.length;
  const slash = filter.indexOf('/', start);
  if (slash === start || start === filter.length) return bad(problem('MQTT-4.8.2-1', 'share name is empty'));
  if (slash < 0) return bad(problem('MQTT-4.8.2-2', 'share name is not followed by "/" and a topic filter'));
  const group = scan(filter, start, slash, 'share-name');
  if (typeof group !== 'number') return bad(group);
  if (slash + 1 === filter.length) {
    return bad(problem('MQTT-4.7.3-1', 'topic filter after the share name is empty'));
  }
  const inner = scan(filter, slash + 1, filter.length, 'filter');
  if (typeof inner !== 'number') return bad(inner);
  const total = finish(start + 1 + group + inner);
  if (total !== undefined) return bad(total);
  return { ok: true, group: filter.slice(start, slash), filter: filter.slice(slash + 1) };
}

/**
 * Does a valid Topic Filter match a valid Topic Name? The reference matcher, level by level on char
 * codes; the tries in broker/ must agree with it. Levels are compared code unit for code unit, with
 * no normalization [MQTT-4.7.3-4].
 */
export function topicMatches(filter: string, topic: string): boolean {
  const first = filter.charCodeAt(0);
  if (topic.charCodeAt(0) === DOLLAR && (first === PLUS || first === HASH)) return false; // [MQTT-4.7.2-1]
  const fLen = filter.length;
  const tLen = topic.length;
  let f = 0;
  let t = 0;
  for (;;) {
    if (f > fLen) return t > tLen;
    let fEnd = filter.indexOf('/', f);
    if (fEnd < 0) fEnd = fLen;
    const single = fEnd - f === 1 ? filter.charCodeAt(f) : -1;
    // '#' also matches the parent level: "sport/#" matches "sport" (§4.7.1.2).
    if (single === HASH) return true;
    if (t > tLen) return false;
    let tEnd = topic.indexOf('/', t);
    if (tEnd < 0) tEnd = tLen;
    if (single !== PLUS && !sameLevel(filter, f, fEnd, topic, t, tEnd)) return false;
    f = fEnd + 1;
    t = tEnd + 1;
  }
}

function sameLevel(
  a: string,
  aStart: number,
  aEnd: number,
  b: string,
  bStart: number,
  bEnd: number,
): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) {
    if (a.charCodeAt(aStart + i) !== b.charCodeAt(bStart + i)) return false;
  }
  return true;
}
