// The e2e project is the one place allowed to start several services together.
/* eslint-disable @nx/enforce-module-boundaries */
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { eventually, Role, startTestService, TestRun, type TestService } from '@kkb/testing';
import { classificationService } from '../../services/classification/src/service';
import { notificationsService } from '../../services/notifications/src/service';
import { RegionImportService } from '../../services/registry/src/region/region-import.service';
import { IdnAreaDataSource } from '../../services/registry/src/region/region-source';
import { registryService } from '../../services/registry/src/service';
import { surveyService } from '../../services/survey/src/service';

/** One real event path across all four services: registry → survey, classification, notifications. */
describe('event backbone', () => {
  const run = new TestRun();
  const services: Record<string, TestService> = {};

  beforeAll(async () => {
    services.registry = await startTestService(run, registryService);
    await services.registry.app
      .get(RegionImportService)
      .import(new IdnAreaDataSource((code) => code.startsWith('16')));
    services.survey = await startTestService(run, surveyService);
    services.classification = await startTestService(run, classificationService);
    services.notifications = await startTestService(run, notificationsService);
  });

  afterAll(async () => {
    for (const s of Object.values(services)) await s.close();
    await run.cleanup();
  });

  it('should carry a kampung registered in the registry into every other service, once', async () => {
    const res = await services.registry.request({
      method: 'POST',
      url: '/api/v1/kampung',
      payload: { villageCode: '16.10.05.2041', name: 'Kampung KB Seroja', launchDate: '2022-03-14' },
      headers: { 'x-correlation-id': 'backbone-e2e' },
      token: run.token(Role.province, '16'),
    });
    expect(res.statusCode).toBe(201);
    const { id } = res.json() as { id: string };

    for (const name of ['survey', 'classification']) {
      const projected = await eventually(
        async () => {
          const r = await services[name].request({ method: 'GET', url: `/api/v1/projections/kampung/${id}` });
          return r.statusCode === 200
            ? (r.json() as { name: string; provinceCode: string; version: number })
            : undefined;
        },
        { what: `${name} projection` },
      );
      expect(projected).toMatchObject({ name: 'Kampung KB Seroja', provinceCode: '16', version: 1 });
    }

    const events = await eventually(
      async () => {
        const r = await services.notifications.request({
          method: 'GET',
          url: '/api/v1/events',
          token: run.token(Role.province, '16'),
        });
        return (r.json() as { items: { type: string; subject: string; correlationid: string }[] }).items;
      },
      {
        until: (e) => e.some((x) => x.type === 'kkb.registry.kampung.registered.v1'),
        what: 'notifications received the event',
      },
    );
    const kampungEvents = events.filter((e) => e.type.startsWith('kkb.registry.kampung.'));
    expect(kampungEvents).toHaveLength(1);
    expect(kampungEvents[0]).toMatchObject({
      type: 'kkb.registry.kampung.registered.v1',
      subject: `kampung/${id}`,
    });
    expect(kampungEvents[0].correlationid).toBe('backbone-e2e');
    // The national regions-imported event reaches every province's officers too.
    expect(events.map((e) => e.type)).toContain('kkb.registry.regions.imported.v1');

    // A province 18 officer sees nothing of province 16.
    const other = await services.notifications.request({
      method: 'GET',
      url: '/api/v1/events',
      token: run.token(Role.province, '18'),
    });
    expect((other.json() as { items: { type: string }[] }).items.map((e) => e.type)).toEqual([
      'kkb.registry.regions.imported.v1',
    ]);

    // Scope is the caller's whole prefix: a regency officer of 16.10 sees the kampung of 16.10.05,
    // one of 16.71 in the same province does not (the filter was once cut to the province).
    const typesFor = async (scope: string) => {
      const r = await services.notifications.request({
        method: 'GET',
        url: '/api/v1/events',
        token: run.token(Role.regency, scope),
      });
      expect(r.statusCode).toBe(200);
      return (r.json() as { items: { type: string }[] }).items.map((e) => e.type);
    };
    expect(await typesFor('1610')).toContain('kkb.registry.kampung.registered.v1');
    expect(await typesFor('1671')).toEqual(['kkb.registry.regions.imported.v1']);

    // Each service keeps to its own schema: the survey role cannot read the registry's tables.
    const surveyDs = services.survey.app.get<DataSource>(getDataSourceToken());
    await expect(surveyDs.query(`SELECT * FROM "${run.schema('registry')}".kampung`)).rejects.toThrow(
      /permission denied/,
    );
  });
});
