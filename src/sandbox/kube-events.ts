/**
 * Events in both API groups the real server serves them in: core/v1 and events.k8s.io/v1 are two views of
 * one stored object (kubernetes pkg/apis/events/v1/conversion.go). A scenario may write either; the store
 * keeps both views with the same metadata, so `kubectl get events`, `kubectl get events.events.k8s.io` and
 * the doctor's timeline see the same thing.
 */
import type { KubeObj } from './kube-resources.js';

/** core/v1 field → events.k8s.io/v1 field, for the fields whose names differ. */
const RENAMED: readonly [core: string, events: string][] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['reportingComponent', 'reportingController'],
];

/** Fields of the same name in both views. */
const SHARED = [
  'metadata',
  'eventTime',
  'series',
  'reason',
  'type',
  'action',
  'related',
  'reportingInstance',
];

/** An events.k8s.io/v1 Event as its core/v1 view. */
export function toCoreEvent(event: KubeObj): KubeObj {
  return convert(event, 'v1', (core, events) => [events, core]);
}

/** A core/v1 Event as its events.k8s.io/v1 view. */
export function toEventsV1(event: KubeObj): KubeObj {
  return convert(event, 'events.k8s.io/v1', (core, events) => [core, events]);
}

function convert(
  event: KubeObj,
  apiVersion: string,
  direction: (core: string, events: string) => [from: string, to: string],
): KubeObj {
  const out: KubeObj = { apiVersion, kind: 'Event', metadata: event.metadata };
  for (const field of SHARED) if (event[field] !== undefined) out[field] = event[field];
  for (const [core, events] of RENAMED) {
    const [from, to] = direction(core, events);
    if (event[from] !== undefined) out[to] = event[from];
  }
  return out;
}

/** When an event was last seen, as kubectl's printer works it out: series, last, first, then eventTime. */
export function lastSeen(core: KubeObj): unknown {
  return core.series?.lastObservedTime ?? core.lastTimestamp ?? core.firstTimestamp ?? core.eventTime;
}
