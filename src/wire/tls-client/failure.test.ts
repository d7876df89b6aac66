import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CODES } from '../../core/errors.js';
import { ALERTS, alertName } from './codes.js';
import {
  alertReceived,
  alertToSend,
  certificateFailure,
  handshakeFailure,
  protocolFailure,
} from './failure.js';

test('failures carry the alert by name and number, its direction and a reason; the codes exist', () => {
  for (const [make, code] of [
    [protocolFailure, 'ERR_TLS_PROTOCOL'],
    [handshakeFailure, 'ERR_TLS_HANDSHAKE'],
    [certificateFailure, 'ERR_TLS_CERTIFICATE'],
  ] as const) {
    assert.ok(code in ERROR_CODES);
    const e = make('decode_error', 'why', { offset: 3 });
    assert.equal(e.code, code);
    assert.deepEqual(
      { ...e.details },
      { offset: 3, alert: 'decode_error', alertNumber: 50, direction: 'sent', reason: 'why' },
    );
    assert.equal(alertToSend(e), 'decode_error');
  }
});

test('a received alert is not answered; during the handshake it is ERR_TLS_HANDSHAKE, after it ERR_TLS_ALERT', () => {
  const during = alertReceived(ALERTS.decrypt_error, true);
  assert.equal(during.code, 'ERR_TLS_HANDSHAKE');
  assert.deepEqual([during.details.alert, during.details.direction], ['decrypt_error', 'received']);
  assert.equal(alertToSend(during), undefined);
  assert.equal(alertReceived(ALERTS.internal_error, false).code, 'ERR_TLS_ALERT');
  assert.equal(alertName(200), 'alert_200');
  assert.equal(alertReceived(200, false).details.alert, 'alert_200');
});
