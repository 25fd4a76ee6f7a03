-- A made-up EHR ("emr_*" tables) whose shapes differ from SPEC §3: other names, dates
-- as YYYYMMDD text, times as epoch seconds or split into date + time, status codes,
-- Y/N flags. Portable SQL: runs on PostgreSQL and SQLite. views-postgres.sql and
-- views-sqlite.sql map it onto the seven SPEC relations.
CREATE TABLE emr_site (site_no BIGINT PRIMARY KEY, tax_id TEXT, site_name TEXT, olson_tz TEXT);
CREATE TABLE emr_provider (prov_id BIGINT PRIMARY KEY, npi_num TEXT, fname TEXT, lname TEXT, mips_flag TEXT);
CREATE TABLE emr_person (person_id BIGINT PRIMARY KEY, chart_no TEXT, given TEXT, family TEXT,
  dob TEXT, email TEXT);
CREATE TABLE emr_appt (appt_id BIGINT PRIMARY KEY, person_id BIGINT, site_no BIGINT, prov_id BIGINT,
  start_epoch BIGINT, status_code INTEGER);
CREATE TABLE emr_doc (doc_id BIGINT PRIMARY KEY, appt_id BIGINT, signed_date TEXT, signed_time TEXT,
  final_epoch BIGINT);
CREATE TABLE emr_portal (inv_id BIGINT PRIMARY KEY, person_id BIGINT, sent_epoch BIGINT,
  to_proxy INTEGER, medium TEXT);
CREATE TABLE emr_api (api_id BIGINT PRIMARY KEY, tax_id TEXT, on_epoch BIGINT, off_epoch BIGINT);

INSERT INTO emr_site VALUES (10, '123456789', 'Main', 'America/Chicago');
INSERT INTO emr_site VALUES (20, '987654321', 'West', 'America/Denver');
INSERT INTO emr_provider VALUES (100, '1234567893', 'Ann', 'Lee', 'Y');
INSERT INTO emr_provider VALUES (200, '1245319599', 'Raj', 'Patel', 'N');
INSERT INTO emr_person VALUES (1000, 'C-1', 'Bo', 'Diaz', '19800203', 'bo@example.com');
INSERT INTO emr_person VALUES (2000, 'C-2', 'Cy', 'Eng', NULL, '');
INSERT INTO emr_person VALUES (3000, 'C-3', 'Di', 'Fox', '19751231', NULL);
INSERT INTO emr_appt VALUES (5001, 1000, 10, 100, 1741014000, 1); -- 2025-03-03T15:00Z Complete
INSERT INTO emr_appt VALUES (5002, 1000, 10, 100, 1741618800, 2); -- 2025-03-10T15:00Z No Show
INSERT INTO emr_appt VALUES (5003, 2000, 20, 200, 1748883600, 4); -- 2025-06-02T17:00Z Checked In
INSERT INTO emr_appt VALUES (5004, 3000, 20, 100, 1767247200, 7); -- 2026-01-01T06:00Z unmapped code 7
INSERT INTO emr_appt VALUES (5005, 3000, 20, 100, 1717200000, 1); -- 2024-06-01: outside 2025
INSERT INTO emr_doc VALUES (1, 5001, '2025-03-04', '10:00:00', 1741168800); -- locked 2025-03-05T10:00Z
INSERT INTO emr_doc VALUES (2, 5001, '2025-03-05', '12:00:00', 1741179600); -- addendum, locked 13:00Z
INSERT INTO emr_doc VALUES (3, 5003, '2025-06-03', '12:00:00', NULL);
INSERT INTO emr_doc VALUES (4, 5004, NULL, NULL, NULL);
INSERT INTO emr_portal VALUES (1, 1000, 1556712000, 0, 'email');   -- 2019-05-01T12:00Z
INSERT INTO emr_portal VALUES (2, 1000, 1741017600, 1, 'email');   -- 2025-03-03T16:00Z
INSERT INTO emr_portal VALUES (3, 2000, 1749556800, 1, 'printed'); -- 2025-06-10T12:00Z
INSERT INTO emr_api VALUES (1, '123456789', 1577836800, NULL);       -- 2020-01-01, open
INSERT INTO emr_api VALUES (2, '987654321', 1740812400, 1743487200); -- 2025-03-01T07:00Z..2025-04-01T06:00Z
