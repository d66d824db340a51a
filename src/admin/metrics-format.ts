// Which exposition format a /metrics scrape gets: OpenMetrics (with trace exemplars) when the
// scraper's Accept prefers it, as Prometheus's default Accept does; else the Prometheus text format,
// what curl and older scrapers get. Content negotiation by q-value, without a parser dependency.

/** Whether `accept` asks for `application/openmetrics-text` at least as much as for `text/plain`. */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (accept === undefined || !accept.includes('openmetrics')) return false;
  let open = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (!(weight >= 0 && weight <= 1)) continue;
    if (type === 'application/openmetrics-text') open = Math.max(open, weight);
    else if (type === 'text/plain') text = Math.max(text, weight);
  }
  return open > 0 && open >= text;
}
