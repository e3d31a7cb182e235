import { EventEmitter } from 'node:events';
import { type DrainResult, type ListenerClient, NotifyPollLoop } from './notify-poll-loop';

const POLL = 1_000;
const BACKOFF = { minMs: 200, maxMs: 800 };

/** A drain whose runs can be held open, counting its calls. */
function drains() {
  const calls: number[] = [];
  let hold: Promise<void> | undefined;
  let release = () => undefined as void;
  let answer: () => DrainResult | void = () => undefined;
  const drain = jest.fn(async () => {
    calls.push(Date.now());
    if (hold) await hold;
    return answer();
  });
  return {
    drain,
    calls,
    /** The next drains wait until `release()`. */
    holdNext() {
      hold = new Promise<void>((r) => (release = () => ((hold = undefined), r())));
    },
    release: () => release(),
    answer(fn: () => DrainResult | void) {
      answer = fn;
    },
  };
}

/** A stand-in for the pg listener session. */
class FakeClient extends EventEmitter implements ListenerClient {
  readonly queries: string[] = [];
  ended = false;
  constructor(private readonly failConnect = false) {
    super();
  }
  async connect() {
    if (this.failConnect) throw new Error('connection refused');
  }
  async query(sql: string) {
    this.queries.push(sql);
  }
  async end() {
    this.ended = true;
  }
  notify() {
    this.emit('notification', { channel: 'kkb_test' });
  }
}

/** Lets the promise jobs queued so far run, without moving the fake clock. */
const flush = () => jest.advanceTimersByTimeAsync(0);

describe('NotifyPollLoop', () => {
  let loop: NotifyPollLoop | undefined;
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(async () => {
    await loop?.stop();
    loop = undefined;
    jest.useRealTimers();
  });

  function make(
    drain: () => Promise<DrainResult | void>,
    extra: Partial<ConstructorParameters<typeof NotifyPollLoop>[0]> = {},
  ) {
    loop = new NotifyPollLoop({
      name: 'test',
      channel: 'kkb_test',
      listen: false,
      pollMs: POLL,
      backoff: BACKOFF,
      drain,
      ...extra,
    });
    return loop;
  }

  it('should drain at start, then on each poll interval when nothing wakes it', async () => {
    const d = drains();
    await make(d.drain).start();
    await flush();
    expect(d.drain).toHaveBeenCalledTimes(1);

    await jest.advanceTimersByTimeAsync(POLL - 1);
    expect(d.drain).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(d.drain).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(POLL);
    expect(d.calls).toEqual([0, POLL, 2 * POLL]);
  });

  it('should end an idle wait on wake()', async () => {
    const d = drains();
    const l = make(d.drain);
    await l.start();
    await jest.advanceTimersByTimeAsync(100);
    l.wake();
    await flush();
    expect(d.calls).toEqual([0, 100]);
  });

  it('should drain again at once when a drain says more, and at dueInMs when that comes before the poll', async () => {
    const d = drains();
    let n = 0;
    d.answer(() => (++n < 3 ? { more: true } : n === 3 ? { dueInMs: 250 } : { dueInMs: 5 * POLL }));
    await make(d.drain).start();
    await flush();
    expect(d.calls).toEqual([0, 0, 0]);
    await jest.advanceTimersByTimeAsync(250);
    expect(d.calls).toEqual([0, 0, 0, 250]);
    await jest.advanceTimersByTimeAsync(POLL); // a due time past the poll is capped by it
    expect(d.calls).toEqual([0, 0, 0, 250, 250 + POLL]);
  });

  it('should coalesce the wakes that arrive during a drain into one more drain', async () => {
    const d = drains();
    const l = make(d.drain);
    d.holdNext();
    await l.start();
    await flush();
    expect(d.drain).toHaveBeenCalledTimes(1);

    for (let i = 0; i < 5; i++) l.wake();
    d.release();
    await flush();
    expect(d.drain).toHaveBeenCalledTimes(2); // one more, not five

    await jest.advanceTimersByTimeAsync(POLL - 1);
    expect(d.drain).toHaveBeenCalledTimes(2); // and then idle until the poll
  });

  it('should back off after failed drains, doubling up to the bound, and reset after a success', async () => {
    const d = drains();
    const errors: number[] = [];
    let fail = 4;
    d.drain.mockImplementation(async () => {
      d.calls.push(Date.now());
      if (fail-- > 0) throw new Error('nats down');
    });
    await make(d.drain, { onError: (_e, ms) => errors.push(ms) }).start();
    await jest.advanceTimersByTimeAsync(200 + 400 + 800 + 800);
    expect(errors).toEqual([200, 400, 800, 800]);
    expect(d.calls).toEqual([0, 200, 600, 1400, 2200]);
    await jest.advanceTimersByTimeAsync(POLL);
    expect(d.calls).toEqual([0, 200, 600, 1400, 2200, 2200 + POLL]); // back to polling
  });

  it('should not let a wake (NOTIFY or wake()) cut a failure backoff short, but drain when it ends', async () => {
    const d = drains();
    d.drain.mockImplementationOnce(async () => {
      d.calls.push(Date.now());
      throw new Error('nats down');
    });
    const client = new FakeClient();
    const l = make(d.drain, { listen: {}, createClient: () => client });
    await l.start();
    await flush();
    expect(d.calls).toEqual([0]);

    await jest.advanceTimersByTimeAsync(50);
    client.notify();
    l.wake();
    await jest.advanceTimersByTimeAsync(100);
    expect(d.calls).toEqual([0]); // still backing off
    await jest.advanceTimersByTimeAsync(50);
    expect(d.calls).toEqual([0, 200]);
  });

  it('should not skip the backoff for a wake that arrived during the failing drain', async () => {
    const d = drains();
    d.holdNext();
    d.drain.mockImplementationOnce(async () => {
      d.calls.push(Date.now());
      await new Promise((r) => setTimeout(r, 10));
      throw new Error('nats down');
    });
    const l = make(d.drain);
    await l.start();
    l.wake();
    await jest.advanceTimersByTimeAsync(10 + 199);
    expect(d.calls).toEqual([0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(d.calls).toEqual([0, 210]);
    d.release();
  });

  it('should LISTEN on the channel and drain on a NOTIFY', async () => {
    const d = drains();
    const client = new FakeClient();
    const l = make(d.drain, { listen: {}, createClient: () => client });
    await l.start();
    expect(client.queries).toEqual(['LISTEN "kkb_test"']);
    expect(l.listening).toBe(true);
    await jest.advanceTimersByTimeAsync(300);
    client.notify();
    await flush();
    expect(d.calls).toEqual([0, 300]);
  });

  it('should reconnect a dropped listener with a bounded backoff, polling meanwhile, and drain once it is back', async () => {
    const d = drains();
    const clients: FakeClient[] = [];
    const failures = [false, true, true, false]; // the first connects, two reconnects fail, then one works
    const warn = jest.fn();
    const l = make(d.drain, {
      listen: {},
      pollMs: 60_000,
      reconnect: { minMs: 100, maxMs: 250 },
      logger: { warn },
      createClient: () => {
        const c = new FakeClient(failures[clients.length] ?? false);
        clients.push(c);
        return c;
      },
    });
    await l.start();
    await flush();
    expect(d.drain).toHaveBeenCalledTimes(1);

    clients[0].emit('error', new Error('terminating connection'));
    clients[0].emit('end');
    expect(l.listening).toBe(false);
    expect(clients[0].ended).toBe(true);
    await jest.advanceTimersByTimeAsync(100); // second client: refused
    expect(clients).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(200); // third: refused
    expect(clients).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(249);
    expect(clients).toHaveLength(3); // bounded at 250
    await jest.advanceTimersByTimeAsync(1);
    expect(clients).toHaveLength(4);
    expect(l.listening).toBe(true);
    expect(warn).toHaveBeenCalledTimes(3);
    expect(d.calls).toEqual([0, 550]); // the drain after the reconnect: NOTIFYs may have been missed
  });

  it('should keep polling when the listener cannot connect at start', async () => {
    const d = drains();
    const l = make(d.drain, {
      listen: {},
      logger: { warn: () => undefined },
      reconnect: { minMs: 10_000, maxMs: 10_000 },
      createClient: () => new FakeClient(true),
    });
    await l.start();
    expect(l.listening).toBe(false);
    await jest.advanceTimersByTimeAsync(2 * POLL);
    expect(d.calls).toEqual([0, POLL, 2 * POLL]);
  });

  it('should stop by ending the wait, awaiting the running drain and closing the listener', async () => {
    const d = drains();
    const client = new FakeClient();
    const l = make(d.drain, { listen: {}, createClient: () => client });
    d.holdNext();
    await l.start();
    await flush();

    let stopped = false;
    const stopping = l.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(5 * POLL);
    expect(stopped).toBe(false); // the drain still runs
    expect(client.ended).toBe(false);
    d.release();
    await stopping;
    expect(client.ended).toBe(true);
    expect(d.drain).toHaveBeenCalledTimes(1);

    await jest.advanceTimersByTimeAsync(5 * POLL);
    expect(d.drain).toHaveBeenCalledTimes(1); // and never again
  });

  it('should stop during a failure backoff without waiting it out', async () => {
    const d = drains();
    d.drain.mockRejectedValue(new Error('down'));
    const l = make(d.drain, { backoff: { minMs: 60_000, maxMs: 60_000 } });
    await l.start();
    await flush();
    await l.stop();
    expect(d.drain).toHaveBeenCalledTimes(1);
  });

  it('should refuse a channel that is not a plain identifier', () => {
    expect(() => make(async () => undefined, { channel: 'x; DROP TABLE y' })).toThrow(/channel/);
    loop = undefined;
  });
});
