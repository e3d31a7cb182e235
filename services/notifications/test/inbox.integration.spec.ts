import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Role, TestRun, eventually } from '@kkb/testing';
import { DigestService } from '../src/digest/digest.service';
import { InboxController } from '../src/inbox/inbox.controller';
import { InboxRepository } from '../src/inbox/inbox.repository';
import type { NewInboxItem } from '../src/inbox/inbox-item';
import {
  FAST_ENV,
  kampungClassified,
  kampungRegistered,
  publish,
  reportOverdue,
  startNotifications,
  submissionRejected,
  tokenFor,
  type Notifications,
} from './notifications.fixtures';

interface Item {
  id: string;
  kind: string;
  region: string;
  title: string;
  body: string;
  read: boolean;
  data: { eventId?: string };
}
interface InboxPage {
  items: Item[];
  nextCursor: string | null;
  unread: number;
}
interface Mail {
  to: string[];
  raw: string;
}

/** Undoes quoted-printable soft breaks and escapes, enough to read a digest's text. */
const decodeQp = (raw: string) =>
  raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));

describe(InboxController.name, () => {
  const run = new TestRun();
  const mails: Mail[] = [];
  let smtp: SMTPServer;
  let n: Notifications;

  const p16 = tokenFor(Role.province, '16', 'officer-16');
  const r1610 = tokenFor(Role.regency, '1610', 'officer-1610');
  const r1601 = tokenFor(Role.regency, '1601', 'officer-1601');
  const p18 = tokenFor(Role.province, '18', 'officer-18');
  const nat = tokenFor(Role.national, '', 'officer-national');
  const integrator = tokenFor(Role.integrator, '16', 'dashboard');

  const events = {
    registered1610: kampungRegistered('16.10.05.2041', 'Kampung KB Seroja'),
    rejected1601: submissionRejected('16.01.02.2003'),
    overdue1610: reportOverdue('16.10.01.2001'),
    levelChanged1610: kampungClassified('16.10.05.2041', true),
    levelSame1610: kampungClassified('16.10.05.2040', false),
    registered18: kampungRegistered('18.01.01.2001', 'Kampung KB Lampung'),
  };

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: decodeQp(Buffer.concat(chunks).toString()),
          });
          callback();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const port = (smtp.server.address() as AddressInfo).port;
    n = await startNotifications(run, {
      ...FAST_ENV,
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      EMAIL_DIGEST_INTERVAL_MS: '3600000', // the test runs the digest itself
      EMAIL_FROM: 'Kampung KB <no-reply@kkb.test>',
    });
  });
  afterAll(async () => {
    await n?.close();
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    await run.cleanup();
  });

  const inbox = async (token: string, query = '') => {
    const res = await n.svc.request({ method: 'GET', url: `/api/v1/inbox${query}`, token });
    expect(res.statusCode).toBe(200);
    return res.json() as InboxPage;
  };
  const post = (url: string, token: string, payload?: unknown, method = 'POST') =>
    n.svc.request({ method, url, token, payload });
  const kinds = (page: InboxPage) => page.items.map((i) => `${i.kind} ${i.region}`).sort();
  const digest = () => n.svc.app.get(DigestService).runOnce();

  it('should put each event that matters into the inbox of the officers whose scope covers it, once', async () => {
    // Opting in before the events: the digest starts from here.
    expect(
      (
        await post(
          '/api/v1/me/notification-preferences',
          r1610,
          { email: 'seroja@kkb.test', digest: true },
          'PUT',
        )
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await post(
          '/api/v1/me/notification-preferences',
          p18,
          { email: 'lampung@kkb.test', digest: true },
          'PUT',
        )
      ).statusCode,
    ).toBe(200);

    for (const e of Object.values(events)) await publish(n, run, e);
    await publish(n, run, events.registered1610, `${events.registered1610.id}-redelivered`);
    await eventually(() => inbox(nat), { until: (p) => p.items.length === 5, what: 'five inbox items' });

    expect(kinds(await inbox(nat))).toEqual([
      'kampung-registered 16.10.05.2041',
      'kampung-registered 18.01.01.2001',
      'level-changed 16.10.05.2041',
      'report-overdue 16.10.01.2001',
      'submission-rejected 16.01.02.2003',
    ]);
    expect(kinds(await inbox(p16))).toEqual([
      'kampung-registered 16.10.05.2041',
      'level-changed 16.10.05.2041',
      'report-overdue 16.10.01.2001',
      'submission-rejected 16.01.02.2003',
    ]);
    expect(kinds(await inbox(r1610))).toEqual([
      'kampung-registered 16.10.05.2041',
      'level-changed 16.10.05.2041',
      'report-overdue 16.10.01.2001',
    ]);
    expect(kinds(await inbox(r1601))).toEqual(['submission-rejected 16.01.02.2003']);
    expect(kinds(await inbox(p18))).toEqual(['kampung-registered 18.01.01.2001']);
    expect((await inbox(integrator)).items).toEqual([]);

    const seroja = (await inbox(r1610)).items.find((i) => i.kind === 'kampung-registered')!;
    expect(seroja).toMatchObject({ title: 'Kampung KB registered: Kampung KB Seroja', read: false });
    expect(seroja.data.eventId).toBe(events.registered1610.id);
    const changed = (await inbox(r1610)).items.find((i) => i.kind === 'level-changed')!;
    expect(changed.title).toBe('Level changed: dasar -> berkembang');
  });

  it('should list unread items, mark one read, then all, per officer', async () => {
    const first = await inbox(r1610, '?unread=true');
    expect(first.unread).toBe(3);
    expect(first.items).toHaveLength(3);
    const target = first.items[0];
    expect((await post(`/api/v1/inbox/${target.id}/read`, r1610)).statusCode).toBe(204);
    const after = await inbox(r1610, '?unread=true');
    expect(after.unread).toBe(2);
    expect(after.items.map((i) => i.id)).not.toContain(target.id);
    expect((await inbox(r1610)).items.find((i) => i.id === target.id)!.read).toBe(true);
    // Read state is per officer: the province officer still has it unread.
    expect((await inbox(p16, '?unread=true')).items.map((i) => i.id)).toContain(target.id);
    // An item outside the caller's scope cannot be marked.
    const lampung = (await inbox(p18)).items[0];
    expect((await post(`/api/v1/inbox/${lampung.id}/read`, r1610)).statusCode).toBe(404);

    expect((await post('/api/v1/inbox/read-all', r1610)).statusCode).toBe(204);
    expect(await inbox(r1610, '?unread=true')).toMatchObject({ items: [], unread: 0 });
    expect((await inbox(p16, '?unread=true')).unread).toBe(4);

    // Pages follow the cursor.
    const page1 = await inbox(nat, '?limit=2');
    const page2 = await inbox(nat, `?limit=2&cursor=${page1.nextCursor}`);
    const page3 = await inbox(nat, `?limit=2&cursor=${page2.nextCursor}`);
    expect(page3.nextCursor).toBeNull();
    expect(new Set([...page1.items, ...page2.items, ...page3.items].map((i) => i.id)).size).toBe(5);
  });

  it('should mail each opted-in officer one digest of their new items, never the same item twice', async () => {
    expect(await digest()).toBe(2);
    expect(mails.map((m) => m.to[0]).sort()).toEqual(['lampung@kkb.test', 'seroja@kkb.test']);
    const seroja = mails.find((m) => m.to[0] === 'seroja@kkb.test')!;
    expect(seroja.raw).toMatch(/^Subject: Kampung KB: 3 new notifications$/m);
    expect(seroja.raw).toMatch(/^From: Kampung KB <no-reply@kkb\.test>$/m);
    expect(seroja.raw).toContain('Kampung KB registered: Kampung KB Seroja');
    expect(seroja.raw).toContain('Level changed: dasar -> berkembang');
    expect(seroja.raw).toContain('Monthly report overdue: 2025-03');
    expect(seroja.raw).not.toContain('Lampung');
    expect(seroja.raw).not.toContain('Submission rejected');
    const lampung = mails.find((m) => m.to[0] === 'lampung@kkb.test')!;
    expect(lampung.raw).toMatch(/^Subject: Kampung KB: 1 new notification$/m);

    expect(await digest()).toBe(0);
    expect(mails).toHaveLength(2);

    const next = reportOverdue('16.10.05.2041');
    await publish(n, run, next);
    await eventually(() => inbox(r1610), { until: (p) => p.items.length === 4 });
    expect(await digest()).toBe(1);
    expect(mails).toHaveLength(3);
    expect(mails[2].to).toEqual(['seroja@kkb.test']);
    expect(mails[2].raw).toMatch(/^Subject: Kampung KB: 1 new notification$/m);
    expect(mails[2].raw).toContain('16.10.05.2041');

    // Opting out stops the mails.
    await post(
      '/api/v1/me/notification-preferences',
      r1610,
      { email: 'seroja@kkb.test', digest: false },
      'PUT',
    );
    await publish(n, run, reportOverdue('16.10.05.2042'));
    await eventually(() => inbox(r1610), { until: (p) => p.items.length === 5 });
    expect(await digest()).toBe(0);
  });

  it('should not count as read an item whose transaction commits after read-all, though it was added first', async () => {
    // Two fan-out transactions add items concurrently: A takes its seq first but commits last.
    const officer = tokenFor(Role.regency, '1610', 'officer-race');
    const repo = n.svc.app.get(InboxRepository);
    const item = (key: string): NewInboxItem => ({
      dedupeKey: `race-${key}-${run.id}`,
      kind: 'report-overdue',
      region: '1610050001',
      recipient: null,
      title: `Race ${key}`,
      body: '',
      data: {},
      occurredAt: new Date(),
    });
    const qr = n.ds.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    await repo.add(qr.manager, item('A'));
    const b = n.ds.transaction((m) => repo.add(m, item('B')));
    await new Promise((r) => setTimeout(r, 300)); // B commits now, unless it has to wait for A
    expect((await post('/api/v1/inbox/read-all', officer)).statusCode).toBe(204);
    await qr.commitTransaction();
    await qr.release();
    await b;
    const unread = (await inbox(officer, '?unread=true')).items.map((i) => i.title);
    // A was not there when the officer read everything: it must still be unread.
    expect(unread).toContain('Race A');
  });

  it('should let fan-out transactions commit without waiting for one another, and list a late commit above what was seen', async () => {
    const officer = tokenFor(Role.regency, '1610', 'officer-late');
    const repo = n.svc.app.get(InboxRepository);
    const item = (key: string): NewInboxItem => ({
      dedupeKey: `late-${key}-${run.id}`,
      kind: 'report-overdue',
      region: '1610050002',
      recipient: null,
      title: `Late ${key}`,
      body: '',
      data: {},
      occurredAt: new Date(),
    });
    const seen = await inbox(officer, '?limit=1');
    const qr = n.ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      await repo.add(qr.manager, item('A'));
      // B commits while A's transaction is still open: no lock makes it wait for A.
      await n.ds.transaction((m) => repo.add(m, item('B')));
      const withB = await inbox(officer, '?limit=1');
      expect(withB.items.map((i) => i.title)).toEqual(['Late B']);
      await qr.commitTransaction();
    } finally {
      await qr.release();
    }
    // A committed last, so it comes after B in the order, above everything a reader saw before.
    const page1 = await inbox(officer, '?limit=2');
    expect(page1.items.map((i) => i.title)).toEqual(['Late A', 'Late B']);
    const rest = await inbox(officer, `?limit=1&cursor=${page1.nextCursor}`);
    expect(rest.items.map((i) => i.id)).toEqual(seen.items.map((i) => i.id));
  });

  it('should number committed items in commit order however many readers sequence them at once', async () => {
    const repo = n.svc.app.get(InboxRepository);
    const keys = Array.from({ length: 40 }, (_, i) => `many-${i}-${run.id}`);
    await Promise.all([
      ...keys.map((key, i) =>
        n.ds.transaction((m) =>
          repo.add(m, {
            dedupeKey: key,
            kind: 'report-overdue',
            region: '1610050003',
            recipient: null,
            title: `Many ${i}`,
            body: '',
            data: {},
            occurredAt: new Date(),
          }),
        ),
      ),
      ...Array.from({ length: 8 }, () => n.ds.transaction((m) => repo.sequence(m))),
    ]);
    await n.ds.transaction((m) => repo.sequence(m));
    const rows: { seq: string | null }[] = await n.ds.query(
      `SELECT seq FROM "${n.schema}".inbox_item WHERE dedupe_key = ANY($1)`,
      [keys],
    );
    const seqs = rows.map((r) => Number(r.seq));
    expect(seqs.every((q) => Number.isInteger(q) && q > 0)).toBe(true);
    expect(new Set(seqs).size).toBe(keys.length);
  });

  it('should number items committed one after another in that order', async () => {
    const repo = n.svc.app.get(InboxRepository);
    const keys = Array.from({ length: 12 }, (_, i) => `ordered-${i}-${run.id}`);
    for (const [i, key] of keys.entries()) {
      await n.ds.transaction((m) =>
        repo.add(m, {
          dedupeKey: key,
          kind: 'report-overdue',
          region: '1610050004',
          recipient: null,
          title: `Ordered ${i}`,
          body: '',
          data: {},
          occurredAt: new Date(),
        }),
      );
    }
    expect(await n.ds.transaction((m) => repo.sequence(m))).toBeGreaterThanOrEqual(keys.length);
    const rows: { dedupe_key: string }[] = await n.ds.query(
      `SELECT dedupe_key FROM "${n.schema}".inbox_item WHERE dedupe_key = ANY($1) ORDER BY seq`,
      [keys],
    );
    expect(rows.map((r) => r.dedupe_key)).toEqual(keys);
  });

  it('should refuse a digest without an e-mail address', async () => {
    const res = await post('/api/v1/me/notification-preferences', p16, { digest: true }, 'PUT');
    expect(res.statusCode).toBe(400);
    const bad = await post(
      '/api/v1/me/notification-preferences',
      p16,
      { email: 'nope', digest: true },
      'PUT',
    );
    expect(bad.statusCode).toBe(400);
  });
});
