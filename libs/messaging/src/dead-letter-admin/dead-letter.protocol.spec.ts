import type { StoredMsg } from '@nats-io/jetstream';
import { entryOf, eventHead, replaySubject } from './dead-letter.protocol';

const stored = (subject: string, body: string, seq = 5): StoredMsg =>
  ({
    subject,
    seq,
    time: new Date('2026-01-02T03:04:05.000Z'),
    json: () => JSON.parse(body) as unknown,
  }) as unknown as StoredMsg;

describe('dead-letter protocol', () => {
  it('reads the id and type of an event, also from a cut or malformed text', () => {
    expect(eventHead('{"id":"a1","type":"kkb.x.v1","data":{}}')).toEqual({ id: 'a1', type: 'kkb.x.v1' });
    expect(eventHead('{"type":"kkb.x.v1","id":"a1","data":{"long":"aaaa')).toEqual({
      id: 'a1',
      type: 'kkb.x.v1',
    });
    expect(eventHead('not json')).toEqual({ id: null, type: null });
    expect(eventHead('{"id":7}')).toEqual({ id: null, type: null });
    expect(eventHead(undefined)).toEqual({ id: null, type: null });
  });

  it('takes only dead letters of its own subject root', () => {
    const letter = JSON.stringify({
      consumer: 'c1',
      service: 's',
      event: '{"id":"e","type":"t"}',
      replays: 2,
    });
    expect(entryOf(stored('kkb.dlq.s.c1', letter), 'kkb')).toEqual({
      seq: 5,
      storedAt: '2026-01-02T03:04:05.000Z',
      letter: JSON.parse(letter),
      eventId: 'e',
      eventType: 't',
    });
    expect(entryOf(stored('other.dlq.s.c1', letter), 'kkb')).toBeNull();
    expect(entryOf(stored('kkb.dlq.s.c1', '{broken'), 'kkb')).toBeNull();
    expect(entryOf(stored('kkb.dlq.s.c1', '{"reason":"no consumer"}'), 'kkb')).toBeNull();
  });

  it('asks for replays outside the event subjects', () => {
    expect(replaySubject('kkb', 'survey')).toBe('kkb_admin.dlq.replay.survey');
  });
});
