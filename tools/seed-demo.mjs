#!/usr/bin/env node
// Demo activity for the seeded South Sumatra (after the registry seed): kampung profiles and the
// last six monthly reports of the province's kampung, submitted, verified or rejected through the
// survey API as field officers and verifiers would, so that levels, trends and the map are not
// empty on a first start. Then it waits until classification has evaluated the verified ones.
//
//   node tools/seed-demo.mjs                       local URLs (ports KKB_PORT_BASE+1..4, 3001-3004)
//   node tools/seed-demo.mjs --base http://127.0.0.1:3000        everything through the front door
//   node tools/seed-demo.mjs --registry URL --survey URL --classification URL [--no-wait]
// Tokens are signed like tools/token.mjs (JWT_SECRET, else the local development secret).
//
// What it makes, the same on every machine (answers from a seeded generator per village code and
// month; submission ids are UUID v5 of kampung id, instrument and period):
//   - most kampung: a verified profile and up to six verified monthly reports, spread over the
//     four levels (Dasar most, Berkelanjutan fewest);
//   - about 7% nothing at all (not assessed);
//   - a verifier's queue: about 10 kampung of Ogan Ilir (16.10) and a few elsewhere whose latest
//     report or profile is left submitted;
//   - a few latest reports rejected with a reason (implausible figures);
//   - Kampung KB Seroja (16.10.05.2041): a full profile and six reports, all verified (Mandiri,
//     one step from Berkelanjutan).
// Running it again stores nothing twice: the same id and body is a retry the survey answers 200
// to, and only submissions still `submitted` are verified or rejected.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { httpClient, prng, profileAnswers, reportAnswers } from './bench/bench-kit.mjs';
import { LOCAL_DEV_JWT_SECRET, loadDotEnv } from './migrate.mjs';

export const PROVINCE = '16';
export const SEROJA_VILLAGE = '16.10.05.2041';
/**
 * Monthly reports: the months before the current one (Asia/Jakarta), six for Seroja, three for
 * the others (each is two events for every consumer; six for all doubles the work of a start).
 */
export const MONTHS = 3;
export const SEROJA_MONTHS = 6;
/** Namespace of the submission ids (UUID v5). */
const NAMESPACE = 'a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f607';
const SEED = 2022;
const CONCURRENCY = 24;
/** Rows per CSV import: the survey lists every row's result inline up to 1,000. */
const IMPORT_ROWS = 1000;

const LEVELS = ['dasar', 'berkembang', 'mandiri', 'berkelanjutan'];

// ------------------------------------------------------------------------------ ids, periods

/** A name-based (version 5, SHA-1) UUID: the same name always gives the same id. */
export function uuidV5(name, namespace = NAMESPACE) {
  const h = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name)
    .digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** FNV-1a: a 32-bit seed from a string. */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const monthIndex = (p) => p.year * 12 + p.month - 1;
const periodOf = (index) => ({ year: Math.floor(index / 12), month: (index % 12) + 1 });
const label = (p) => `${p.year}-${String(p.month).padStart(2, '0')}`;
/** The current month in Indonesia's western time zone (WIB, UTC+7), where periods are counted. */
const currentMonth = (now) => {
  const d = new Date(now.getTime() + 7 * 3600_000);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};

// ------------------------------------------------------------------------------ the plan

/** The level a kampung is meant to land on, and how good its profile (qp) and reports (qr) are. */
function quality(rng) {
  const u = rng();
  const between = (lo, hi) => lo + (hi - lo) * rng();
  if (u < 0.4) return { aim: 'dasar', qp: between(0.2, 0.5), qr: between(0.2, 0.55) };
  if (u < 0.68) return { aim: 'berkembang', qp: between(0.88, 1), qr: between(0.15, 0.4) };
  if (u < 0.88) return { aim: 'mandiri', qp: between(0.85, 1), qr: between(0.85, 1) };
  return { aim: 'berkelanjutan', qp: between(0.9, 1), qr: between(0.82, 1) };
}

/**
 * A Mandiri kampung runs its programme well (output passes) with one side of its organisation
 * lagging: few data sources, steps and agencies (process), or no SK, funding or facilities (input).
 */
function lagging(rng, profile) {
  if (rng() < 0.6) {
    return {
      ...profile,
      data_sources: profile.data_sources.slice(0, 1),
      operating_steps: profile.operating_steps.slice(0, 2),
      agencies: Math.min(profile.agencies, 1 + Math.floor(rng() * 3)),
    };
  }
  const { sk_issuer: _issuer, ...rest } = profile;
  return { ...rest, sk_exists: false, plkb_assigned: false, funding_sources: [], facilities: [] };
}

/** Verifiers send these back; each comes with answers that show the problem. */
const REJECTIONS = [
  {
    reason:
      'PUS pada laporan bulan ini dua kali lipat dari profil kampung. Mohon periksa kembali jumlah PUS dan peserta KB.',
    spoil: (a) => ({ ...a, pus: a.pus * 2 }),
  },
  {
    reason:
      'Semua kelompok kegiatan (BKB, BKR, BKL, UPPKA, PIK-R) tercatat tanpa peserta, padahal bulan lalu ada. Mohon lengkapi data peserta.',
    spoil: (a) => ({
      ...a,
      bkb_participants: 0,
      bkr_participants: 0,
      bkl_participants: 0,
      uppka_participants: 0,
      pik_r_participants: 0,
    }),
  },
  {
    reason:
      'Peserta KB suntik dan pil tercatat 0, tidak sesuai dengan laporan bulan-bulan sebelumnya. Mohon periksa pencatatan metode kontrasepsi.',
    spoil: (a) => ({ ...a, users_injection: 0, users_pill: 0 }),
  },
];

/** Seroja: the province's model kampung, Mandiri (input and output pass; process one step short). */
function serojaProfile() {
  const base = profileAnswers(prng(SEED, hash(SEROJA_VILLAGE)), 0.9);
  return {
    ...base,
    pokja_exists: true,
    pokja_members: 15,
    pokja_trained: true,
    sk_exists: true,
    sk_issuer: 'village_head',
    plkb_assigned: true,
    funding_sources: ['apbd', 'dana_desa', 'swadaya'],
    poktan_services: ['bkb', 'bkr', 'bkl', 'uppka', 'pik_r', 'kb_kr_service'],
    facilities: ['secretariat', 'rumah_dataku'],
    data_sources: ['pk', 'bkkbn_routine'],
    operating_steps: ['planning_meeting', 'coordination', 'socialisation', 'reporting'],
    agencies: 3,
    families: 612,
    pus: 410,
    families_with_toddler: 138,
    families_with_teen: 164,
    families_with_elderly: 97,
  };
}

/** A Seroja report `ago` months back: a programme getting slowly better, every output indicator at 4. */
function serojaReport(ago) {
  const k = 1 - ago * 0.02;
  const users = Math.round(236 * k);
  const mkjp = Math.round(users * 0.32);
  return {
    bkb_participants: Math.round(42 * k),
    bkb_target_families: 110,
    bkr_participants: Math.round(38 * k),
    bkr_target_families: 105,
    bkl_participants: Math.round(31 * k),
    bkl_target_families: 90,
    uppka_participants: Math.round(19 * k),
    uppka_target_families: 48,
    pik_r_participants: Math.round(14 * k),
    pik_r_target_families: 40,
    pus: 410 - ago,
    users_iud: Math.round(mkjp * 0.45),
    users_implant: mkjp - Math.round(mkjp * 0.45) - 9,
    users_mow: 7,
    users_mop: 2,
    users_condom: Math.round((users - mkjp) * 0.1),
    users_injection: Math.round((users - mkjp) * 0.6),
    users_pill: users - mkjp - Math.round((users - mkjp) * 0.1) - Math.round((users - mkjp) * 0.6),
    nonusers_pregnant: 14,
    nonusers_want_child_now: 11,
    nonusers_iat: 12 + Math.round(ago / 2),
    nonusers_tial: 9,
    bpjs_users: Math.round(users * 0.7),
  };
}

/**
 * Answers fitted to the published definition: questions it does not have are dropped, questions
 * that do not apply (relevantIf) left out, required ones the generator does not know filled with
 * a neutral answer. For version 1 (what the generators were written against) nothing changes.
 */
function fit(definition, answers) {
  const out = {};
  const applies = (q) =>
    !q.relevantIf || (answers[q.relevantIf.question] ?? out[q.relevantIf.question]) === q.relevantIf.equals;
  for (const q of definition.questions) {
    if (!applies(q)) continue;
    if (answers[q.id] !== undefined) out[q.id] = answers[q.id];
    else if (q.required) {
      out[q.id] = {
        integer: q.min ?? 0,
        decimal: q.min ?? 0,
        boolean: false,
        date: q.min ?? '2024-01-01',
        text: '-',
        single_choice: definition.codeLists[q.codeList]?.[0]?.code,
        multiple_choice: [],
      }[q.type];
    }
  }
  return out;
}

/**
 * What to submit for each kampung, and what becomes of it: `verify`, `pending` (left submitted)
 * or `reject` with a reason. Kampung in village code order; every choice is drawn from the
 * village code, so the same register gives the same plan.
 */
export function planDemo(kampung, instruments, { now = new Date(), months: monthsWanted = MONTHS } = {}) {
  const thisMonth = currentMonth(now);
  const last = thisMonth - 1;
  const sorted = [...kampung].sort((a, b) => a.villageCode.localeCompare(b.villageCode));
  const byHash = (list) => [...list].sort((a, b) => hash(a.villageCode) - hash(b.villageCode));
  const rngOf = (k) => prng(SEED, hash(k.villageCode));

  // Who gets nothing, whose latest submission waits for a verifier, whose is sent back.
  const idle = new Set(
    sorted.filter((k) => k.villageCode !== SEROJA_VILLAGE && rngOf(k)() < 0.07).map((k) => k.id),
  );
  const candidates = sorted.filter((k) => k.villageCode !== SEROJA_VILLAGE && !idle.has(k.id));
  const oganIlir = byHash(candidates.filter((k) => k.villageCode.startsWith('16.10.')));
  const elsewhere = byHash(candidates.filter((k) => !k.villageCode.startsWith('16.10.')));
  const pending = new Map(); // kampung id -> 'report' | 'profile'
  oganIlir.slice(0, 10).forEach((k, i) => pending.set(k.id, i % 4 === 3 ? 'profile' : 'report'));
  elsewhere.slice(0, 8).forEach((k, i) => pending.set(k.id, i % 4 === 3 ? 'profile' : 'report'));
  const rejected = new Map(); // kampung id -> rejection
  [...oganIlir.slice(10, 12), ...elsewhere.slice(8, 13)].forEach((k, i) =>
    rejected.set(k.id, REJECTIONS[i % REJECTIONS.length]),
  );

  const items = [];
  const plans = [];
  for (const k of sorted) {
    if (idle.has(k.id)) {
      plans.push({ kampung: k, aim: null });
      continue;
    }
    const launched = monthIndex({
      year: Number(k.launchDate.slice(0, 4)),
      month: Number(k.launchDate.slice(5, 7)),
    });
    if (launched > thisMonth) continue;
    const seroja = k.villageCode === SEROJA_VILLAGE;
    const rng = rngOf(k);
    rng(); // the idle draw
    const q = seroja ? { aim: 'mandiri', qp: 0.9, qr: 0.95 } : quality(rng);
    // Most kampung report every month; some joined the reporting later.
    const months = seroja ? SEROJA_MONTHS : rng() < 0.8 ? monthsWanted : 1 + Math.floor(rng() * monthsWanted);
    const profilePeriod = periodOf(Math.max(last, launched));
    let profile = seroja ? serojaProfile() : profileAnswers(prng(SEED, hash(k.villageCode), 0), q.qp);
    if (q.aim === 'mandiri' && !seroja) profile = lagging(rng, profile);
    const item = (instrument, period, answers, outcome = { action: 'verify' }) => {
      const id = uuidV5(`${k.id}/${instrument.code}/${label(period)}`);
      return {
        id,
        kampung: k,
        kind: instrument.kind,
        outcome,
        body: {
          id,
          kampungId: k.id,
          instrumentCode: instrument.code,
          instrumentVersion: instrument.version,
          period,
          answers: instrument.definition ? fit(instrument.definition, answers) : answers,
        },
      };
    };
    const wait = pending.get(k.id);
    items.push(
      item(
        instruments.profile,
        profilePeriod,
        profile,
        wait === 'profile' ? { action: 'pending' } : undefined,
      ),
    );
    for (let ago = 1; ago <= months; ago++) {
      const index = thisMonth - ago;
      if (index < launched) break;
      const period = periodOf(index);
      // Reports get a little better month by month (a drift of a few points, same kampung).
      const r = prng(SEED, hash(k.villageCode), index);
      let answers = seroja
        ? serojaReport(ago)
        : reportAnswers(r, Math.max(0, q.qr - 0.02 * ago), profile.pus);
      let outcome;
      if (ago === 1 && wait === 'report') outcome = { action: 'pending' };
      if (ago === 1 && rejected.has(k.id)) {
        const rejection = rejected.get(k.id);
        answers = rejection.spoil(answers);
        outcome = { action: 'reject', reason: rejection.reason };
      }
      items.push(item(instruments.report, period, answers, outcome));
    }
    plans.push({ kampung: k, aim: q.aim });
  }
  return { items, plans };
}

// ------------------------------------------------------------------------------ the run

/** Runs `fn` over `list`, `limit` at a time. */
async function pool(list, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      await fn(list[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, worker));
}

const csvCell = (v) => {
  if (v === undefined || v === null) return '';
  const text = Array.isArray(v) ? v.join('|') : String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/**
 * Submits rows through the survey's CSV import (one request for up to 1,000 rows, each validated
 * like an HTTP submission, with the id made here); resolves to every row's result.
 */
async function importRows(call, survey, token, instrument, chunk) {
  const asked = new Set(chunk.flatMap((it) => Object.keys(it.body.answers)));
  const questions = instrument.definition.questions.map((q) => q.id).filter((id) => asked.has(id));
  const lines = [['submission_id', 'kampung_id', 'year', 'month', ...questions].join(',')];
  for (const it of chunk) {
    const { id, kampungId, period, answers } = it.body;
    lines.push(
      [id, kampungId, period.year, period.month, ...questions.map((q) => answers[q])].map(csvCell).join(','),
    );
  }
  const url = `${survey}/api/v1/imports?instrumentCode=${instrument.code}&instrumentVersion=${instrument.version}`;
  const res = await call('POST', url, token, `${lines.join('\n')}\n`, 'text/csv');
  if (res.status !== 201) return { ok: false, problem: problemText(res) };
  let results = res.json.results;
  if (!results) {
    results = [];
    for (let after = 0; ;) {
      const page = await call('GET', `${survey}${res.json.resultsUrl}?after=${after}&limit=10000`, token);
      if (page.status !== 200) return { ok: false, problem: problemText(page) };
      results.push(...itemsOf(page.json));
      if (itemsOf(page.json).length < 10000) break;
      after = results[results.length - 1].row;
    }
  }
  return { ok: true, results };
}

/** Id -> status of the submissions already in the caller's scope; empty if they cannot be listed. */
async function storedSubmissions(call, survey, token) {
  const seen = new Map();
  const PAGE = 500;
  for (let offset = 0, cursor; ;) {
    const at = cursor ? `cursor=${encodeURIComponent(cursor)}` : `offset=${offset}`;
    const res = await call('GET', `${survey}/api/v1/submissions?limit=${PAGE}&${at}`, token);
    if (res.status !== 200) return new Map();
    const page = itemsOf(res.json);
    for (const s of page) seen.set(s.id, s.status);
    cursor = res.json?.nextCursor;
    if (cursor) continue;
    if (!Array.isArray(res.json) || page.length < PAGE) return seen;
    offset += PAGE;
  }
}

const itemsOf = (body) => (Array.isArray(body) ? body : (body?.items ?? []));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const problemText = (res) =>
  `HTTP ${res.status} ${res.json?.detail ?? ''} ${JSON.stringify(res.json?.errors ?? res.text?.slice(0, 200) ?? '')}`.trim();

/**
 * Loads the demo through the HTTP APIs. `urls` are the services' base URLs (or all the front
 * door's); `token(role, scope)` gives a bearer token (roles field_officer, verifier and province
 * of 16 are asked for); `log(line)` gets progress and the one-line summary. Resolves to the
 * figures; submissions the survey refuses are counted, not thrown (the demo never stops the
 * platform); rejects only when a service cannot be reached or refuses the tokens.
 * @param {{
 *   urls: Record<string, string>,
 *   token: (role: string, scope: string) => string,
 *   log?: (line: string) => void,
 *   now?: Date,
 *   months?: number,
 *   wait?: boolean,
 *   waitTimeoutMs?: number,
 *   projectionTimeoutMs?: number,
 * }} options
 */
export async function seedDemo({
  urls,
  token,
  log = () => {},
  now = new Date(),
  months = MONTHS,
  wait = true,
  waitTimeoutMs = 180_000,
  projectionTimeoutMs = 60_000,
}) {
  const started = performance.now();
  const http = httpClient({ maxSockets: CONCURRENCY * 2 });
  const officer = token('field_officer', PROVINCE);
  const verifier = token('verifier', PROVINCE);
  const reader = token('province', PROVINCE);
  let requests = 0;
  const call = async (method, url, tok, body, contentType) => {
    requests++;
    if (contentType) {
      // Raw text (the CSV import): the bench kit's client sends JSON only.
      const res = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${tok}`, 'content-type': contentType },
        body,
      });
      const text = await res.text();
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text };
    }
    return http.request(method, url, { token: tok, body });
  };
  const must = async (method, url, tok) => {
    const res = await call(method, url, tok);
    if (res.status !== 200) throw new Error(`seed-demo: ${method} ${url}: ${problemText(res)}`);
    return res.json;
  };

  try {
    // The instruments as published: the latest version of the profile and of the monthly report.
    const published = itemsOf(await must('GET', `${urls.survey}/api/v1/instruments`, reader));
    const latest = (kind) =>
      published.filter((i) => i.kind === kind).sort((a, b) => b.version - a.version)[0];
    const instruments = {};
    for (const [key, kind] of [
      ['profile', 'profile'],
      ['report', 'monthly-report'],
    ]) {
      const found = latest(kind);
      if (!found) throw new Error(`seed-demo: the survey publishes no ${kind} instrument`);
      instruments[key] = await must(
        'GET',
        `${urls.survey}/api/v1/instruments/${found.code}/versions/${found.version}`,
        reader,
      );
    }

    // The register of province 16.
    const kampung = [];
    for (let cursor; ;) {
      const page = await must(
        'GET',
        `${urls.registry}/api/v1/kampung?region=${PROVINCE}&active=true&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        reader,
      );
      kampung.push(...itemsOf(page));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    if (!kampung.length) {
      log(`demo data: no kampung in province ${PROVINCE} (run the registry seed first): nothing to do`);
      return { kampung: 0, requests, seconds: (performance.now() - started) / 1000 };
    }
    const { items, plans } = planDemo(kampung, instruments, { now, months });

    // 1. Submit what is not there yet. What an earlier run stored is listed first (a few pages),
    //    so that a second run sends almost nothing; if the list cannot be read, everything is
    //    sent, and the survey answers a retry with the same id and body 200 with its state. The
    //    survey learns of new kampung from registry events: a kampung it does not know yet is
    //    tried again until it does.
    const status = await storedSubmissions(call, urls.survey, reader);
    const failures = [];
    let created = 0;
    let todo = items.filter((it) => !status.has(it.id));
    const tSubmit = performance.now();
    const deadline = Date.now() + projectionTimeoutMs;
    const definitions = {
      [instruments.profile.code]: instruments.profile,
      [instruments.report.code]: instruments.report,
    };
    while (todo.length) {
      const unknown = [];
      const chunks = [];
      for (const code of Object.keys(definitions)) {
        const rows = todo.filter((it) => it.body.instrumentCode === code);
        for (let i = 0; i < rows.length; i += IMPORT_ROWS) chunks.push(rows.slice(i, i + IMPORT_ROWS));
      }
      await pool(chunks, 2, async (chunk) => {
        const instrument = definitions[chunk[0].body.instrumentCode];
        const res = await importRows(call, urls.survey, officer, instrument, chunk);
        if (!res.ok) {
          failures.push(`import of ${chunk.length} ${instrument.code} rows: ${res.problem}`);
          return;
        }
        for (const r of res.results) {
          const it = chunk[r.row - 1];
          if (r.outcome === 'created') {
            created++;
            status.set(it.id, 'submitted');
          } else if (r.outcome === 'unchanged') status.set(it.id, 'unknown');
          else if (
            (r.errors ?? []).some((e) => e.field === 'kampungId' && /not known|no Kampung KB/i.test(e.reason))
          )
            unknown.push(it);
          else
            failures.push(
              `${it.kampung.villageCode} ${it.body.instrumentCode} ${label(it.body.period)}: ${JSON.stringify(r.errors)}`,
            );
        }
      });
      if (!unknown.length) break;
      if (Date.now() > deadline) {
        failures.push(`${unknown.length} submissions of kampung the survey never learnt of`);
        break;
      }
      todo = unknown;
      await sleep(1000);
    }
    const submitSeconds = (performance.now() - tSubmit) / 1000;
    const tDecide = performance.now();
    // An import answers 'unchanged' for a row stored before without saying its state: such rows
    // are decided like new ones, and one already decided answers 409 (left as it is).
    const waiting = (it) => ['submitted', 'unknown'].includes(status.get(it.id));
    const decide = async (list, action) => {
      await pool(list, CONCURRENCY, async (it) => {
        const res =
          action === 'verify'
            ? await call('POST', `${urls.survey}/api/v1/submissions/${it.id}/verify`, verifier)
            : await call('POST', `${urls.survey}/api/v1/submissions/${it.id}/reject`, verifier, {
                reason: it.outcome.reason,
              });
        if (res.status === 200) status.set(it.id, res.json.status);
        else if (res.status !== 409) failures.push(`${action} ${it.id}: ${problemText(res)}`);
      });
    };
    const toVerify = items.filter((it) => it.outcome.action === 'verify' && waiting(it));
    const byPeriodDesc = (a, b) => monthIndex(b.body.period) - monthIndex(a.body.period);
    await decide(toVerify.filter((it) => it.kind !== 'profile').sort(byPeriodDesc), 'verify');
    await decide(
      toVerify.filter((it) => it.kind === 'profile'),
      'verify',
    );
    await decide(
      items.filter((it) => it.outcome.action === 'reject' && waiting(it)),
      'reject',
    );

    const count = (s) => [...status.values()].filter((v) => v === s).length;
    const assessable = new Set(
      items
        .filter((it) => it.kind === 'profile' && status.get(it.id) === 'verified')
        .map((it) => it.kampung.id),
    );
    const decideSeconds = (performance.now() - tDecide) / 1000;
    const loadSeconds = (performance.now() - started) / 1000;

    // 4. Wait until classification has evaluated them: every kampung with a verified profile
    //    assessed, and the counts steady between two looks.
    let levels = null;
    let evaluated = !wait;
    if (wait) {
      const until = Date.now() + waitTimeoutMs;
      let previous = '';
      while (Date.now() < until) {
        const res = await call('GET', `${urls.classification}/api/v1/levels?region=${PROVINCE}`, reader);
        if (res.status === 200) {
          levels = res.json;
          const key = JSON.stringify(levels.levels);
          if (levels.assessed >= assessable.size && key === previous) {
            evaluated = true;
            break;
          }
          previous = key;
        }
        await sleep(1000);
      }
      if (!evaluated)
        failures.push(
          `classification had not assessed ${assessable.size} kampung after ${waitTimeoutMs / 1000} s`,
        );
    }

    const seconds = (performance.now() - started) / 1000;
    const summary = {
      kampung: kampung.length,
      withData: plans.filter((p) => p.aim).length,
      submissions: items.length,
      created,
      verified: count('verified'),
      waiting: count('submitted'),
      rejected: count('rejected'),
      failed: failures.length,
      levels: levels && { ...levels.levels, notAssessed: levels.notAssessed },
      evaluated,
      requests,
      submitSeconds,
      decideSeconds,
      loadSeconds,
      seconds,
    };
    const levelText = levels
      ? `; levels of ${PROVINCE}: ${LEVELS.map((l) => `${l} ${levels.levels[l]}`).join(', ')}, not assessed ${levels.notAssessed}`
      : '';
    for (const f of failures.slice(0, 5)) log(`demo data: ${f}`);
    if (failures.length > 5) log(`demo data: ... and ${failures.length - 5} more problems`);
    log(
      `demo data: ${summary.withData} of ${summary.kampung} kampung, ${summary.submissions} submissions (${created} new): ` +
        `${summary.verified} verified, ${summary.waiting} waiting for a verifier, ${summary.rejected} rejected` +
        `${failures.length ? `, ${failures.length} problems` : ''}${levelText}; ${requests} requests in ${seconds.toFixed(1)} s` +
        ` (submitting ${submitSeconds.toFixed(1)} s, verifying ${decideSeconds.toFixed(1)} s` +
        (wait ? `, classification ${(seconds - loadSeconds).toFixed(1)} s)` : ')'),
    );
    return summary;
  } finally {
    http.close();
  }
}

// ------------------------------------------------------------------------------ command line

/** Signs tokens like tools/token.mjs (HS256, issuer and audience kkb unless set). */
export function localTokens(secret = process.env.JWT_SECRET || LOCAL_DEV_JWT_SECRET) {
  const require = createRequire(import.meta.url);
  const jwt = createRequire(require.resolve('@nestjs/jwt'))('jsonwebtoken');
  return (role, scope) =>
    jwt.sign({ role, scope, name: `Demo ${role.replace('_', ' ')}` }, secret, {
      algorithm: 'HS256',
      subject: `demo-${role}`,
      expiresIn: '1h',
      issuer: process.env.JWT_ISSUER || 'kkb',
      audience: process.env.JWT_AUDIENCE || 'kkb',
    });
}

/**
 * The services' URLs from KKB_PORT_BASE (3000: 3001-3004), or all of them at `base`.
 * @param {{ base?: string, host?: string, portBase?: number }} [options]
 * @returns {Record<string, string>}
 */
export function localUrls({
  base,
  host = '127.0.0.1',
  portBase = Number(process.env.KKB_PORT_BASE) || 3000,
} = {}) {
  const names = ['registry', 'survey', 'classification', 'notifications'];
  return Object.fromEntries(
    names.map((n, i) => [n, base ? base.replace(/\/$/, '') : `http://${host}:${portBase + i + 1}`]),
  );
}

async function cli() {
  const USAGE = `usage: node tools/seed-demo.mjs [--base URL] [--registry URL] [--survey URL] [--classification URL] [--no-wait]
  loads verified profiles and monthly reports for the kampung of province 16 (run the registry seed first)
  env: KKB_PORT_BASE (default 3000: services on 3001-3004), JWT_SECRET (default: the local development secret)`;
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        base: { type: 'string' },
        registry: { type: 'string' },
        survey: { type: 'string' },
        classification: { type: 'string' },
        notifications: { type: 'string' },
        'no-wait': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`seed-demo: ${/** @type {Error} */ (err).message}\n${USAGE}\n`);
    process.exit(64);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  loadDotEnv();
  const urls = localUrls({
    base: values.base,
    host: process.env.HOST && !['0.0.0.0', '::'].includes(process.env.HOST) ? process.env.HOST : undefined,
  });
  for (const name of Object.keys(urls)) if (values[name]) urls[name] = values[name].replace(/\/$/, '');
  const summary = await seedDemo({
    urls,
    token: localTokens(),
    log: (line) => process.stdout.write(`${line}\n`),
    wait: !values['no-wait'],
  });
  if (summary.failed) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  cli().catch((err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
}
