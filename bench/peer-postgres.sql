-- bench/peer-postgres.sql — the peer of issue 12: PI_PEA_1 computed by one SQL
-- statement inside PostgreSQL, the way a DBA would write it, to measure mipspi
-- against. It prints one row per entity, as mipspi's JSON report lists them:
--   level  tin  npi  denominator  numerator
-- bench/run.sh checks these figures against mipspi's (they must be equal) and times
-- the statement with psql.
--
-- Scope: mipspi's default configuration (seen statuses, every-visit, release on lock,
-- numerator actions inside the period, federal holidays, no closures) and an as-of
-- instant after every deadline of the period (bench/run.sh uses the March 31 after
-- the year), so that nothing is pending: then an access instant after the as-of is
-- also after its deadline, and R9 changes no figure. It does not itemise issues.
--
-- psql variables: from, to (YYYY-MM-DD) and holidays, the observed holiday dates
-- (comma-separated; run.sh takes them from mipspi's own report, holidays_applied).
--
--   psql DSN -XAt -F $'\t' -v from=2025-01-01 -v to=2025-12-31 -v holidays=… -f bench/peer-postgres.sql
WITH
-- R3: business days (Monday–Friday, not an observed holiday) numbered in order.
bd AS MATERIALIZED (
  SELECT g.d::date AS d, row_number() OVER (ORDER BY g.d) AS n
  FROM generate_series(:'from'::date - 10, :'to'::date + 40, interval '1 day') AS g(d)
  WHERE extract(isodow FROM g.d) < 6
    AND g.d::date <> ALL (string_to_array(:'holidays', ',')::date[])
),
-- R3: each local visit date of the period → the 4th business day strictly after it.
deadline AS MATERIALIZED (
  SELECT v.v::date AS v,
    (SELECT b.d FROM bd b WHERE b.n = (SELECT count(*) FROM bd c WHERE c.d <= v.v::date) + 4) AS due
  FROM generate_series(:'from'::date, :'to'::date, interval '1 day') AS v(v)
),
-- R1: seen visits of eligible clinicians whose local date lies in the period.
seen AS (
  SELECT a.id, a.patient_id, o.tin, c.npi, o.timezone AS tz, dl.due
  FROM appointments a
  JOIN offices o ON o.id = a.office_id
  JOIN clinicians c ON c.id = a.clinician_id AND c.mips_eligible
  JOIN deadline dl ON dl.v = (a.scheduled_at AT TIME ZONE o.timezone)::date
  WHERE a.scheduled_at >= ((:'from'::date - 1)::timestamp AT TIME ZONE 'UTC')
    AND a.scheduled_at < ((:'to'::date + 2)::timestamp AT TIME ZONE 'UTC')
    AND lower(btrim(a.status)) IN ('arrived', 'checked in', 'checked in online', 'in room', 'in session', 'complete')
),
-- R4, R5: released at the earliest lock; access from the earliest invitation.
started AS (
  SELECT s.*,
    CASE WHEN r.released IS NOT NULL AND i.invited IS NOT NULL THEN greatest(r.released, i.invited) END AS t0
  FROM seen s
  LEFT JOIN LATERAL (SELECT min(n.locked_at) AS released FROM clinical_notes n WHERE n.appointment_id = s.id) r ON true
  LEFT JOIN LATERAL (SELECT min(p.sent_at) AS invited FROM portal_invitations p WHERE p.patient_id = s.patient_id) i ON true
),
-- R6, R7: the earliest instant ≥ t0 at which the TIN's API is enabled; timely when its
-- local date is on or before the deadline and the period's end.
judged AS (
  SELECT s.tin, s.npi, s.patient_id,
    coalesce((SELECT (min(greatest(s.t0, w.enabled_at)) AT TIME ZONE s.tz)::date
              FROM api_windows w
              WHERE w.tin = s.tin AND s.t0 IS NOT NULL
                AND (w.disabled_at IS NULL OR greatest(s.t0, w.enabled_at) < w.disabled_at))
             <= least(s.due, :'to'::date), false) AS timely
  FROM started s
),
-- R2, R8: every seen visit of the patient in the entity must be timely.
individual AS (
  SELECT tin, npi, patient_id, bool_and(timely) AS ok FROM judged GROUP BY tin, npi, patient_id
),
grp AS (
  SELECT tin, patient_id, bool_and(timely) AS ok FROM judged GROUP BY tin, patient_id
)
SELECT 'individual' AS level, tin, npi, count(*) AS denominator, count(*) FILTER (WHERE ok) AS numerator
FROM individual GROUP BY tin, npi
UNION ALL
SELECT 'group', tin, '', count(*), count(*) FILTER (WHERE ok)
FROM grp GROUP BY tin
ORDER BY 1, 2, 3;
