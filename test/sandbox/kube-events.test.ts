import { describe, expect, it } from 'vitest';
import { toCoreEvent, toEventsV1 } from '../../src/sandbox/kube-events.js';
import { resourceForKind } from '../../src/sandbox/kube-resources.js';
import { buildStore } from '../../src/sandbox/kube-store.js';
import { scenarioSchema } from '../../src/sandbox/scenario.js';

const legacy = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'web.1', namespace: 'shop' },
  involvedObject: { kind: 'Pod', name: 'web', namespace: 'shop' },
  type: 'Warning',
  reason: 'BackOff',
  message: 'Back-off restarting failed container web in pod web_shop(1)',
  source: { component: 'kubelet', host: 'node-1' },
  firstTimestamp: '2026-11-26T08:00:00Z',
  lastTimestamp: '2026-11-26T08:59:00Z',
  count: 12,
  reportingComponent: 'kubelet',
};
const newer = {
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name: 'cert.2', namespace: 'shop' },
  regarding: { kind: 'Certificate', name: 'shop-tls', namespace: 'shop' },
  type: 'Normal',
  reason: 'Issuing',
  note: 'The certificate has been successfully issued',
  eventTime: '2026-11-26T08:30:00.000000Z',
  series: { count: 2, lastObservedTime: '2026-11-26T08:40:00.000000Z' },
  reportingController: 'cert-manager-certificates-issuing',
  reportingInstance: 'cert-manager-0',
  action: 'Issue',
};

describe('Events in both API groups', () => {
  it('converts field by field as the API server does (pkg/apis/events/v1/conversion.go)', () => {
    expect(toEventsV1(legacy)).toEqual({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: legacy.metadata,
      reason: 'BackOff',
      type: 'Warning',
      regarding: legacy.involvedObject,
      note: legacy.message,
      deprecatedSource: legacy.source,
      deprecatedFirstTimestamp: legacy.firstTimestamp,
      deprecatedLastTimestamp: legacy.lastTimestamp,
      deprecatedCount: 12,
      reportingController: 'kubelet',
    });
    expect(toCoreEvent(newer)).toEqual({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: newer.metadata,
      eventTime: newer.eventTime,
      series: newer.series,
      reason: 'Issuing',
      type: 'Normal',
      action: 'Issue',
      reportingInstance: 'cert-manager-0',
      involvedObject: newer.regarding,
      message: newer.note,
      reportingComponent: 'cert-manager-certificates-issuing',
    });
    expect(toCoreEvent(toEventsV1(legacy))).toEqual(legacy);
  });

  it('stores each Event once and serves it in both groups with the same metadata', () => {
    const scenario = {
      ...scenarioSchema.parse({ description: 't', kubernetes: { objects: [legacy, newer] } }),
      name: 't',
    };
    const store = buildStore(scenario, new Date('2026-11-26T09:00:00Z'));
    const core = store.objects.get(resourceForKind('', 'Event')!)!;
    const events = store.objects.get(resourceForKind('events.k8s.io', 'Event')!)!;
    expect(core.map((e) => [e.metadata.name, e.message])).toEqual([
      ['cert.2', 'The certificate has been successfully issued'],
      ['web.1', 'Back-off restarting failed container web in pod web_shop(1)'],
    ]);
    expect(events.map((e) => [e.metadata.name, e.note])).toEqual([
      ['cert.2', 'The certificate has been successfully issued'],
      ['web.1', 'Back-off restarting failed container web in pod web_shop(1)'],
    ]);
    expect(events.map((e) => e.metadata.uid)).toEqual(core.map((e) => e.metadata.uid));
    expect(store.servedVersions.get('events.k8s.io')).toEqual(['v1']);
  });
});
