-- bench/floor-mariadb.sql — the floor for the section 3 relations on MariaDB (SPEC §8):
-- the least a PI_PEA_1 calculator must read, as plain SELECTs of the needed columns run
-- one after another by MariaDB's own client (`mariadb --quick`, output to /dev/null):
-- the period's appointments in patient order, the notes' times, the invitations.
-- bench/run.sh writes the UTC window [from - 1 day, to + 2 days) for @LO@ and @HI@.
SELECT a.id, a.patient_id, a.office_id, a.clinician_id, a.scheduled_at, a.status
FROM appointments a WHERE a.scheduled_at >= '@LO@' AND a.scheduled_at < '@HI@'
ORDER BY a.patient_id, a.scheduled_at;
SELECT n.appointment_id, n.signed_at, n.locked_at FROM clinical_notes n;
SELECT i.patient_id, i.sent_at FROM portal_invitations i;
