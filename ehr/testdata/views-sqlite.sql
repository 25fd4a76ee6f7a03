-- The seven SPEC §3 relations as SQLite views over an EHR's own tables (here the
-- made-up emr_* tables of vendor.sql). Every column keeps its SPEC name. Timestamps are
-- TEXT that mipspi reads as instants — YYYY-MM-DD(T| )HH:MM:SS[.fff][Z|±HH:MM], no zone
-- meaning UTC, which is what SQLite's datetime()/strftime() write — dates YYYY-MM-DD,
-- booleans 0/1. SQLite cannot convert a local wall-clock time in an IANA zone: store or
-- derive instants (epoch seconds, UTC text, or text with its offset).
CREATE VIEW offices AS
  SELECT site_no AS id, tax_id AS tin, site_name AS name, olson_tz AS timezone
  FROM emr_site;

CREATE VIEW clinicians AS
  SELECT prov_id AS id, npi_num AS npi, fname AS first_name, lname AS last_name,
         CASE mips_flag WHEN 'Y' THEN 1 ELSE 0 END AS mips_eligible
  FROM emr_provider;

CREATE VIEW patients AS
  SELECT person_id AS id, chart_no AS mrn, given AS first_name, family AS last_name,
         substr(dob, 1, 4) || '-' || substr(dob, 5, 2) || '-' || substr(dob, 7, 2) AS birth_date,
         NULLIF(email, '') AS email
  FROM emr_person;

CREATE VIEW appointments AS
  SELECT appt_id AS id, person_id AS patient_id, site_no AS office_id, prov_id AS clinician_id,
         datetime(start_epoch, 'unixepoch') AS scheduled_at,        -- 'YYYY-MM-DD HH:MM:SS', UTC
         CASE status_code
           WHEN 1 THEN 'Complete'
           WHEN 2 THEN 'No Show'
           WHEN 3 THEN 'Cancelled'
           WHEN 4 THEN 'Checked In'
           ELSE 'Code ' || status_code
         END AS status
  FROM emr_appt;

CREATE VIEW clinical_notes AS
  SELECT doc_id AS id, appt_id AS appointment_id,
         signed_date || 'T' || signed_time || 'Z' AS signed_at,  -- UTC date + time
         strftime('%Y-%m-%dT%H:%M:%SZ', final_epoch, 'unixepoch') AS locked_at
  FROM emr_doc;

CREATE VIEW portal_invitations AS
  SELECT inv_id AS id, person_id AS patient_id, datetime(sent_epoch, 'unixepoch') AS sent_at,
         CASE WHEN to_proxy = 1 THEN 'representative' ELSE 'patient' END AS recipient,
         medium AS channel
  FROM emr_portal;

CREATE VIEW api_windows AS
  SELECT api_id AS id, tax_id AS tin, datetime(on_epoch, 'unixepoch') AS enabled_at,
         datetime(off_epoch, 'unixepoch') AS disabled_at
  FROM emr_api;
