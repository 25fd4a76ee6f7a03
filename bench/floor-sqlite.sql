-- bench/floor-sqlite.sql — the floor of issue 12 in the sqlite3 shell: the same two
-- statements as floor-postgres.sql, output to /dev/null. Indexes (mipspi db init):
-- clinical_notes(appointment_id), appointments(patient_id, scheduled_at),
-- portal_invitations(patient_id). bench/run.sh fills in @LO@ and @HI@.
.output /dev/null
SELECT a.id, a.patient_id, a.office_id, a.clinician_id, a.scheduled_at, a.status,
       (SELECT min(n.locked_at) FROM clinical_notes n WHERE n.appointment_id = a.id)
FROM appointments a WHERE a.scheduled_at >= '@LO@' AND a.scheduled_at < '@HI@'
ORDER BY a.patient_id, a.scheduled_at;
SELECT patient_id, min(sent_at) FROM portal_invitations GROUP BY patient_id;
