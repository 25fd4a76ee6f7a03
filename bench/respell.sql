-- bench/respell.sql — the SQLite practice of issue 12: timestamps in the three
-- spellings SPEC §3 allows, as a real practice's interfaces leave them. Run by the
-- sqlite3 shell on a database `mipspi db generate` filled (it writes UTC `…Z`):
-- about 40% stay `2025-03-03T15:00:00Z`, 30% become `2025-03-03 15:00:00+00:00` (a
-- space, +00:00) and 30% local offsets of four zones (-05:00, -06:00, -08:00, +01:00),
-- chosen by row id so that the same database always gets the same spellings.
-- The instants do not change: mipspi's report must be byte-identical before and after.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
CREATE TEMP TABLE zones (k INTEGER PRIMARY KEY, mod TEXT, suffix TEXT);
INSERT INTO zones VALUES (0, '-5 hours', '-05:00'), (1, '-6 hours', '-06:00'),
                         (2, '-8 hours', '-08:00'), (3, '+1 hours', '+01:00');
UPDATE appointments SET scheduled_at = CASE
  WHEN id % 10 IN (4, 5, 6) THEN replace(replace(scheduled_at, 'T', ' '), 'Z', '+00:00')
  ELSE strftime('%Y-%m-%dT%H:%M:%S', scheduled_at, (SELECT mod FROM zones WHERE k = id % 4))
       || (SELECT suffix FROM zones WHERE k = id % 4) END
WHERE id % 10 >= 4;
UPDATE clinical_notes SET
  signed_at = CASE WHEN signed_at IS NULL THEN NULL
    WHEN id % 10 IN (4, 5, 6) THEN replace(replace(signed_at, 'T', ' '), 'Z', '+00:00')
    ELSE strftime('%Y-%m-%dT%H:%M:%S', signed_at, (SELECT mod FROM zones WHERE k = id % 4))
         || (SELECT suffix FROM zones WHERE k = id % 4) END,
  locked_at = CASE WHEN locked_at IS NULL THEN NULL
    WHEN id % 10 IN (4, 5, 6) THEN replace(replace(locked_at, 'T', ' '), 'Z', '+00:00')
    ELSE strftime('%Y-%m-%dT%H:%M:%S', locked_at, (SELECT mod FROM zones WHERE k = id % 4))
         || (SELECT suffix FROM zones WHERE k = id % 4) END
WHERE id % 10 >= 4;
UPDATE portal_invitations SET sent_at = CASE
  WHEN id % 10 IN (4, 5, 6) THEN replace(replace(sent_at, 'T', ' '), 'Z', '+00:00')
  ELSE strftime('%Y-%m-%dT%H:%M:%S', sent_at, (SELECT mod FROM zones WHERE k = id % 4))
       || (SELECT suffix FROM zones WHERE k = id % 4) END
WHERE id % 10 >= 4;
COMMIT;
