-- The seven SPEC §3 relations as MariaDB views over an EHR's own tables (here the
-- made-up emr_* tables of vendor.sql). mipspi only needs SELECT on these views. Every
-- column keeps its SPEC name. Instants are DATETIME in UTC (SPEC §8: mipspi's session
-- runs with time_zone '+00:00', so FROM_UNIXTIME gives UTC), dates DATE, booleans 0/1.
CREATE VIEW offices AS
  SELECT site_no AS id, tax_id AS tin, site_name AS name, olson_tz AS timezone
  FROM emr_site;

CREATE VIEW clinicians AS
  SELECT prov_id AS id, npi_num AS npi, fname AS first_name, lname AS last_name,
         (mips_flag = 'Y') AS mips_eligible
  FROM emr_provider;

CREATE VIEW patients AS
  SELECT person_id AS id, chart_no AS mrn, given AS first_name, family AS last_name,
         STR_TO_DATE(dob, '%Y%m%d') AS birth_date, NULLIF(email, '') AS email
  FROM emr_person;

CREATE VIEW appointments AS
  SELECT appt_id AS id, person_id AS patient_id, site_no AS office_id, prov_id AS clinician_id,
         FROM_UNIXTIME(start_epoch) AS scheduled_at,
         CASE status_code
           WHEN 1 THEN 'Complete'
           WHEN 2 THEN 'No Show'
           WHEN 3 THEN 'Cancelled'
           WHEN 4 THEN 'Checked In'
           ELSE CONCAT('Code ', status_code)
         END AS status
  FROM emr_appt;

CREATE VIEW clinical_notes AS
  SELECT doc_id AS id, appt_id AS appointment_id,
         TIMESTAMP(signed_date, signed_time) AS signed_at, -- UTC date + time
         FROM_UNIXTIME(final_epoch) AS locked_at
  FROM emr_doc;

CREATE VIEW portal_invitations AS
  SELECT inv_id AS id, person_id AS patient_id, FROM_UNIXTIME(sent_epoch) AS sent_at,
         CASE WHEN to_proxy = 1 THEN 'representative' ELSE 'patient' END AS recipient,
         medium AS channel
  FROM emr_portal;

CREATE VIEW api_windows AS
  SELECT api_id AS id, tax_id AS tin, FROM_UNIXTIME(on_epoch) AS enabled_at,
         FROM_UNIXTIME(off_epoch) AS disabled_at
  FROM emr_api;
