-- bench/floor-openemr.sql — the floor for OpenEMR's own tables (SPEC §8): the least a
-- PI_PEA_1 calculator must read from an OpenEMR database, as plain SELECTs of the needed
-- columns run one after another by MariaDB's own client (`mariadb --quick`, output to
-- /dev/null): the period's appointments in patient order (OpenEMR has no index on
-- pc_pid: the server sorts), the patients, the tracker links, the encounters, the note
-- forms' signatures, the encounter-level signatures, the first credentials.
-- bench/run.sh writes the local-date window for @LO@ (the day before the period),
-- @TO@ (its last day) and @HI@ (the day after it).
SELECT e.pc_eid, e.pc_pid, e.pc_aid, e.pc_eventDate, e.pc_startTime, e.pc_apptstatus, e.pc_facility, e.pc_billing_location
FROM openemr_postcalendar_events e
WHERE e.pc_eventDate >= '@LO@' AND e.pc_eventDate <= '@TO@' AND e.pc_recurrtype = 0 AND e.pc_pid REGEXP '^0*[1-9][0-9]*$'
ORDER BY LPAD(e.pc_pid, 11, '0'), e.pc_eid;
SELECT p.pid, p.pubpid, p.fname, p.lname, p.DOB, p.email FROM patient_data p;
SELECT t.id, t.eid, t.apptdate, t.encounter FROM patient_tracker t
WHERE t.encounter > 0 AND t.apptdate >= '@LO@' AND t.apptdate < '@HI@';
SELECT fe.encounter, fe.pid, fe.date, fe.provider_id FROM form_encounter fe
WHERE fe.date >= '@LO@ 00:00:00' AND fe.date < '@HI@ 00:00:00';
SELECT f.encounter, f.id, s.datetime, s.is_lock
FROM form_encounter fe JOIN forms f ON f.pid = fe.pid AND f.encounter = fe.encounter
LEFT JOIN esign_signatures s ON s.tid = f.id AND s.`table` = 'forms'
WHERE fe.date >= '@LO@ 00:00:00' AND fe.date < '@HI@ 00:00:00' AND f.deleted = 0
  AND f.formdir IN ('soap', 'clinical_notes', 'dictation');
SELECT s.tid, s.datetime, s.is_lock
FROM form_encounter fe JOIN esign_signatures s ON s.tid = fe.encounter AND s.`table` = 'form_encounter'
WHERE fe.date >= '@LO@ 00:00:00' AND fe.date < '@HI@ 00:00:00';
SELECT a.pid, a.date_created FROM patient_access_onsite a;
