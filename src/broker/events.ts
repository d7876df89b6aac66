/**
 * Every security decision the broker takes, as typed data: the report and the dashboard read
 * these, so a claim such as "the revoked device was disconnected" rests on an event that
 * happened, not on a log line parsed back.
 */
export type SecurityEvent =
  | {
      readonly type: 'auth-success';
      readonly clientId: string;
      readonly username: string | undefined;
      readonly address: string;
      readonly listenerPort: number;
      /** The certificate subject, when the client presented one. */
      readonly certificateSubject: string | undefined;
    }
  | {
      readonly type: 'auth-failure';
      readonly clientId: string;
      readonly username: string | undefined;
      readonly address: string;
      readonly listenerPort: number;
      readonly certificateSubject: string | undefined;
      /** The CONNACK reason code sent (v5 numbering). */
      readonly reasonCode: number;
      readonly reason: string;
    }
  | {
      readonly type: 'acl-denied';
      readonly clientId: string;
      readonly username: string | undefined;
      readonly action: 'publish' | 'receive' | 'will';
      readonly topic: string;
      /** The ACL file line that denied, or undefined when no line granted. */
      readonly line: number | undefined;
      readonly reason: string;
    }
  | {
      readonly type: 'certificate-revoked';
      readonly clientId: string;
      readonly username: string | undefined;
      readonly serialNumber: string;
      readonly subject: string;
    }
  | {
      readonly type: 'certificate-expired';
      readonly clientId: string;
      readonly username: string | undefined;
      readonly serialNumber: string;
      readonly subject: string;
      readonly notAfter: string;
    }
  | {
      readonly type: 'message-dropped';
      readonly clientId: string;
      readonly topic: string;
      /**
       * 'queue-full': policy drop; under policy block, the subscriber was offline or stalled, or
       * (persistence) the spools of absent sessions had reached max_spooled_bytes.
       */
      readonly reason: 'queue-full' | 'offline-queue-full' | 'subscriber-stalled' | 'spool-full';
    }
  | {
      readonly type: 'reload';
      readonly ok: boolean;
      /** What was re-read: certificates, CRLs, ACL, password file. */
      readonly reloaded: readonly string[];
      readonly error: string | undefined;
    }
  | {
      readonly type: 'store-recovered';
      readonly records: number;
      readonly droppedRecords: number;
      readonly droppedBytes: number;
    };

export type SecurityEventType = SecurityEvent['type'];
export type TimedSecurityEvent = SecurityEvent & { readonly at: string };

type Listener = (event: TimedSecurityEvent) => void;

/** A small typed emitter: a listener that throws costs nothing but its own event. */
export class SecurityEvents {
  readonly #listeners = new Set<Listener>();

  constructor(private readonly now: () => number) {}

  /** Returns the function that unsubscribes. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: SecurityEvent): void {
    if (this.#listeners.size === 0) return;
    const timed = { ...event, at: new Date(this.now()).toISOString() } as TimedSecurityEvent;
    for (const listener of this.#listeners) {
      try {
        listener(timed);
      } catch {
        // A consumer's bug must not change what the broker decides.
      }
    }
  }
}
