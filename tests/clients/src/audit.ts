// The graphql-http server audit (GraphQL over HTTP specification conformance) against
// a live server. Prints one JSON line: counts by status and the failures' reasons.
//
// Usage: node dist/audit.js <graphql url>

import { auditServer } from 'graphql-http';

async function main(): Promise<void> {
  const [url] = process.argv.slice(2);
  if (!url) throw new Error('usage: audit.js <url>');
  const results = await auditServer({ url });
  const counts: Record<string, number> = {};
  const failures: string[] = [];
  for (const r of results) {
    counts[r.status] = (counts[r.status] ?? 0) + 1;
    if (r.status !== 'ok') failures.push(`${r.status} ${r.name}: ${r.reason}`);
  }
  console.log(JSON.stringify({ counts, failures }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
