/**
 * Pod log selection as the kubelet does it (pkg/kubelet/kuberuntime/logs): tail first, then drop lines older
 * than `sinceSeconds`, optionally prefixing each line with its RFC3339Nano timestamp.
 */

export interface LogQuery {
  tailLines?: number;
  sinceSeconds?: number;
  timestamps: boolean;
}

const RFC3339_PREFIX = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) (.*)$/s;
const KLOG_HEADER = /^[IWEF](\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6})/;

interface LogLine {
  timeMs: number | null;
  text: string;
}

/**
 * When a line was written: a runtime RFC3339 prefix (stripped from the text), else the klog header
 * (its year is the one that puts it at or before `now`), else a JSON `ts` (epoch seconds, or milliseconds).
 */
function parseLine(raw: string, now: Date): LogLine {
  const prefixed = RFC3339_PREFIX.exec(raw);
  if (prefixed) return { timeMs: Date.parse(prefixed[1]!), text: prefixed[2]! };
  const klog = KLOG_HEADER.exec(raw);
  if (klog) {
    const [, month, day, h, m, s, micros] = klog.map(Number) as number[];
    const at = (year: number) => Date.UTC(year, month! - 1, day, h, m, s, Math.trunc(micros! / 1000));
    const year = now.getUTCFullYear();
    return { timeMs: at(year) > now.getTime() + 86_400_000 ? at(year - 1) : at(year), text: raw };
  }
  if (raw.startsWith('{')) {
    try {
      const ts: unknown = (JSON.parse(raw) as { ts?: unknown }).ts;
      // zap (ESO) writes epoch seconds, component-base (cert-manager) epoch milliseconds.
      if (typeof ts === 'number') return { timeMs: ts > 1e11 ? ts : ts * 1000, text: raw };
      if (typeof ts === 'string' && !Number.isNaN(Date.parse(ts)))
        return { timeMs: Date.parse(ts), text: raw };
    } catch {
      // Not JSON after all: a plain line.
    }
  }
  return { timeMs: null, text: raw };
}

/** RFC3339Nano with nine fraction digits, as the kubelet's `timestamps=true` prefix. */
function formatNano(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
}

/** The response body for one container's lines (oldest first). Lines without a time take the previous line's. */
export function renderLogs(rawLines: readonly string[], query: LogQuery, now: Date): string {
  // Continuation lines (stack traces) belong to the entry before them; a leading one counts as written now.
  let last = now.getTime();
  const timed = rawLines.map((raw) => {
    const line = parseLine(raw, now);
    last = line.timeMs ?? last;
    return { timeMs: last, text: line.text };
  });
  const tailed =
    query.tailLines !== undefined ? timed.slice(Math.max(0, timed.length - query.tailLines)) : timed;
  const cutoff = query.sinceSeconds !== undefined ? now.getTime() - query.sinceSeconds * 1000 : -Infinity;
  return tailed
    .filter((line) => line.timeMs >= cutoff)
    .map((line) => `${query.timestamps ? `${formatNano(line.timeMs)} ` : ''}${line.text}\n`)
    .join('');
}
