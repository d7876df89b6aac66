import type { ClientSettings } from './options.js';
import { type EphemeralKey, GROUP_IDS, generateEphemeral, groupById } from './key-share.js';
import { encodeHello, type HelloOffer, readHello } from './tls13/client-hello.js';

/**
 * The ClientHello a connection sends, shared by the TLS 1.2 and 1.3 handshakes so that either
 * can carry on from it once the ServerHello says which version it is: the client random, the
 * exact bytes (the first transcript message) and, with TLS 1.3 offered, the ephemeral key
 * share (RFC 8446 §4.2.8) for our first group.
 */
export class ClientHelloOffer {
  readonly random: Uint8Array;
  readonly #s: ClientSettings;
  #shares: EphemeralKey[];
  #message: Uint8Array;
  #offer: HelloOffer;
  #cookie: Uint8Array | undefined;

  /** @param override Tests only: bytes to send instead of ours (an RFC 8448 trace's ClientHello). */
  constructor(settings: ClientSettings, override?: Uint8Array) {
    this.#s = settings;
    this.random = settings.rng.bytes(32);
    if (this.random.length !== 32) throw new RangeError('the rng returned the wrong number of bytes');
    this.#shares = this.offers13 ? [generateEphemeral(settings.groups[0]!, settings.rng)] : [];
    this.#message = override ?? this.#encode();
    this.#offer = readHello(this.#message);
  }

  get offers13(): boolean {
    return this.#s.versions.includes('1.3');
  }

  get offers12(): boolean {
    return this.#s.versions.includes('1.2');
  }

  /** The handshake message, as sent and hashed. */
  get message(): Uint8Array {
    return this.#message;
  }

  /** What the message offered, read back from its bytes. */
  get offer(): HelloOffer {
    return this.#offer;
  }

  get shareGroups(): number[] {
    return this.#shares.map((k) => GROUP_IDS[k.group]);
  }

  share(group: number): EphemeralKey | undefined {
    return this.#shares.find((k) => GROUP_IDS[k.group] === group);
  }

  /**
   * RFC 8446 §4.1.2: after a HelloRetryRequest, the same ClientHello with key_share replaced by
   * one share of the selected group and the cookie echoed; nothing else changes.
   */
  retry(selectedGroup: number | undefined, cookie: Uint8Array | undefined): Uint8Array {
    if (selectedGroup !== undefined) {
      const group = groupById(selectedGroup);
      if (!group) throw new RangeError(`group 0x${selectedGroup.toString(16)} is not ours`);
      this.#shares = [generateEphemeral(group, this.#s.rng)];
    }
    this.#cookie = cookie;
    this.#message = this.#encode();
    this.#offer = readHello(this.#message);
    return this.#message;
  }

  #encode(): Uint8Array {
    const s = this.#s;
    return encodeHello({
      random: this.random,
      versions: s.versions,
      tls13Suites: s.tls13Suites,
      tls12Suites: s.suites,
      groups: s.groupIds,
      signatureSchemes: s.signatureSchemes,
      serverName: s.sniName,
      alpn: s.alpn,
      keyShares: this.#shares.map((k) => ({ group: GROUP_IDS[k.group], publicKey: k.publicKey })),
      cookie: this.#cookie,
    });
  }
}
