/** The parts of parse-prometheus-text-format (ships no types) that the tests read. */
declare module 'parse-prometheus-text-format' {
  interface MetricFamily {
    name: string;
    help: string;
    type: 'GAUGE' | 'COUNTER' | 'SUMMARY' | 'HISTOGRAM' | 'UNTYPED';
    metrics: { value: string; labels?: Record<string, string> }[];
  }
  /** Throws InvalidLineError on a line that is not valid text exposition. */
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
