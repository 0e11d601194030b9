import { REFERENCE_MATCH, isListSource, type ReferenceHit, type ReferenceSource } from '@muskel/domain';
import type { SqlRunner } from './schema';

/**
 * The reference-list entries naming each of `hmacs` (same order), for the identity check of a proposal submitted
 * after the lists were imported. Only completed imports count; a Dukcapil result only when "tidak padan".
 */
export async function referenceHits(db: SqlRunner, hmacs: readonly string[]): Promise<ReferenceHit[][]> {
  if (hmacs.length === 0) return [];
  const rows = await db.query<{ nik_hmac: string; source: ReferenceSource; reference: string }>(
    `SELECT e.nik_hmac, e.source, min(e.reference) AS reference
       FROM reference_entries e JOIN reference_imports i ON i.import_id = e.import_id
      WHERE e.nik_hmac = ANY($1::text[]) AND i.completed_at IS NOT NULL
        AND (e.source <> 'DUKCAPIL_RESULTS' OR e.result = 'TIDAK_PADAN')
      GROUP BY e.nik_hmac, e.source
      ORDER BY e.source`,
    [[...new Set(hmacs)]],
  );
  return hmacs.map((hmac) =>
    rows
      .filter((row) => row.nik_hmac === hmac)
      .map((row) => ({
        code: isListSource(row.source) ? REFERENCE_MATCH[row.source].flag : 'DUKCAPIL_UNMATCHED',
        source: row.source,
        reference: row.reference,
      })),
  );
}
