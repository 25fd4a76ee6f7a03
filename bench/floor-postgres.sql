-- bench/floor-postgres.sql — the floor of issue 12: the least a PI_PEA_1 calculator
-- must read, run by PostgreSQL's own client (psql \copy … to /dev/null). bench/run.sh
-- writes the UTC window [from - 1 day, to + 2 days) in place of @LO@ and @HI@.
\copy (SELECT a.id, a.patient_id, a.office_id, a.clinician_id, a.scheduled_at, a.status, (SELECT min(n.locked_at) FROM clinical_notes n WHERE n.appointment_id = a.id) FROM appointments a WHERE a.scheduled_at >= '@LO@' AND a.scheduled_at < '@HI@' ORDER BY a.patient_id, a.scheduled_at) to '/dev/null'
\copy (SELECT patient_id, min(sent_at) FROM portal_invitations GROUP BY patient_id) to '/dev/null'
