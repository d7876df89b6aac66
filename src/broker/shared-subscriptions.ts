import { FilterTrie } from './subscriptions.js';

/**
 * Shared subscriptions (MQTT 5.0 §4.8.2): `$share/{group}/{filter}`. A group is keyed by the pair
 * (group, filter), so `$share/g/a/#` and `$share/g/a/+` are two groups that each get a copy of a
 * message matching both. Each matching group delivers to one member, chosen by `pick`.
 *
 * Callers parse with `parseSharedSubscription` first and pass the group and the inner filter.
 */

export interface SharedMember<V> {
  readonly clientKey: string;
  readonly value: V;
}

/** A read-only view of one group, handed to `match` visitors. */
export interface SharedGroup<V> {
  readonly group: string;
  readonly filter: string;
  readonly size: number;
  readonly members: readonly SharedMember<V>[];
  /**
   * The next member in rotation that `isEligible` accepts (all when omitted), or undefined when
   * none is. The rotation resumes after the member returned, so eligible members take turns and a
   * skipped one is tried again when its turn comes round. Eligibility is the broker's call:
   * connected, under its Receive Maximum.
   */
  pick(isEligible?: (clientKey: string, value: V) => boolean): SharedMember<V> | undefined;
}

interface Member<V> {
  readonly clientKey: string;
  value: V;
}

class Group<V> implements SharedGroup<V> {
  readonly #members: Member<V>[] = [];
  readonly #byKey = new Map<string, Member<V>>();
  #next = 0;

  constructor(
    readonly group: string,
    readonly filter: string,
  ) {}

  get size(): number {
    return this.#members.length;
  }

  get members(): readonly SharedMember<V>[] {
    return this.#members;
  }

  pick(isEligible?: (clientKey: string, value: V) => boolean): SharedMember<V> | undefined {
    const members = this.#members;
    const n = members.length;
    for (let k = 0; k < n; k++) {
      const i = (this.#next + k) % n;
      const m = members[i] as Member<V>;
      if (isEligible === undefined || isEligible(m.clientKey, m.value)) {
        this.#next = (i + 1) % n;
        return m;
      }
    }
    return undefined;
  }

  set(clientKey: string, value: V): boolean {
    const existing = this.#byKey.get(clientKey);
    if (existing !== undefined) {
      existing.value = value;
      return false;
    }
    const member: Member<V> = { clientKey, value };
    this.#byKey.set(clientKey, member);
    this.#members.push(member);
    return true;
  }

  delete(clientKey: string): boolean {
    const member = this.#byKey.get(clientKey);
    if (member === undefined) return false;
    this.#byKey.delete(clientKey);
    // splice, not swap: the members after it keep their turn order.
    const i = this.#members.indexOf(member);
    this.#members.splice(i, 1);
    if (i < this.#next) this.#next--;
    if (this.#next >= this.#members.length) this.#next = 0;
    return true;
  }
}

/** Groups ending at one filter node, by group name. */
type Groups<V> = Map<string, Group<V>>;

function emitGroups<V>(groups: Groups<V>, visit: (group: SharedGroup<V>) => void): void {
  for (const group of groups.values()) visit(group);
}

export class SharedSubscriptions<V> {
  readonly #trie = new FilterTrie<Groups<V>>();
  #size = 0;

  /** Member subscriptions stored, over all groups. */
  get size(): number {
    return this.#size;
  }

  /** Trie nodes in use; see `FilterTrie.nodeCount`. */
  get nodeCount(): number {
    return this.#trie.nodeCount;
  }

  /** True if new; false if the client was already a member, whose value is then replaced [MQTT-3.8.4-3]. */
  add(group: string, filter: string, clientKey: string, value: V): boolean {
    const groups = this.#trie.getOrCreate(filter, () => new Map());
    let g = groups.get(group);
    if (g === undefined) {
      g = new Group<V>(group, filter);
      groups.set(group, g);
    }
    const added = g.set(clientKey, value);
    if (added) this.#size++;
    return added;
  }

  remove(group: string, filter: string, clientKey: string): boolean {
    const groups = this.#trie.get(filter);
    const g = groups?.get(group);
    if (groups === undefined || g === undefined || !g.delete(clientKey)) return false;
    this.#size--;
    if (g.size === 0) {
      groups.delete(group);
      if (groups.size === 0) this.#trie.delete(filter);
    }
    return true;
  }

  get(group: string, filter: string): SharedGroup<V> | undefined {
    return this.#trie.get(filter)?.get(group);
  }

  /** Round-robin choice within one group; see `SharedGroup.pick`. */
  pick(
    group: string,
    filter: string,
    isEligible?: (clientKey: string, value: V) => boolean,
  ): SharedMember<V> | undefined {
    return this.get(group, filter)?.pick(isEligible);
  }

  /**
   * Calls visit once per group whose filter matches `topic` (with the `$` rule of [MQTT-4.7.2-1]);
   * the broker picks one member of each. visit must not add or remove subscriptions.
   */
  match(topic: string, visit: (group: SharedGroup<V>) => void): void {
    this.#trie.forEachMatch(topic, emitGroups, visit);
  }
}
