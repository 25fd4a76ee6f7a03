package main

// Patient privacy (issue 7): --pseudonymize replaces names, MRNs and birth dates in every
// output format of report and notes, with the key from the flag or the environment and
// never written anywhere; registry files carry no patient data at all; no patient data
// reaches stderr.

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/mipspi/mipspi/ehr"
)

// privacyKey is the de-identification key; it must never appear in any output.
const privacyKey = "KEY-CANARY-5be1e2a9c0d4"

// Marker patient data: every patient's names and MRN carry ZQX, and the birth dates are
// listed; patients 6 and 7 share a name and birth date (POSSIBLE_DUPLICATE_PATIENT),
// patient 4's email is not an email (INVALID_EMAIL, whose detail quotes it).
var (
	patientSecrets = regexp.MustCompile(`ZQX|1960-01-01|1971-02-02|1982-03-03|1993-04-04|2004-05-05|1950-06-06|not-an-email`)
	privacyRows    = []string{
		`UPDATE patients SET first_name = 'ZQXFirst' || id, last_name = 'ZQXLast' || id, mrn = 'ZQXMRN' || id`,
		`INSERT INTO patients (id, mrn, first_name, last_name, birth_date, email) VALUES
			(6, 'ZQXMRN6', 'ZQXTwin', 'ZQXSame', '1950-06-06', NULL),
			(7, 'ZQXMRN7', 'ZQXTwin', 'ZQXSame', '1950-06-06', NULL)`,
		`INSERT INTO appointments (id, patient_id, office_id, clinician_id, scheduled_at, status) VALUES
			(120, 6, 1, 1, '2025-03-05T15:00:00Z', 'Complete'),
			(121, 7, 1, 2, '2025-03-06T15:00:00Z', 'Complete')`,
	}
)

// privacyDB is the small scenario with marker patient data, in SQLite.
func privacyDB(t *testing.T) string {
	t.Helper()
	t.Chdir(t.TempDir())
	dsn := "sqlite:p.db"
	mustRun(t, "db", "init", "--db", dsn)
	mustRun(t, "db", "load", "--db", dsn, filepath.Join(testdataDir, "small.yaml"))
	st, err := ehr.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, q := range privacyRows {
		if _, err := st.DB().DB.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return dsn
}

// outputText is everything a run produced: stdout, stderr and the text of the file at
// path (every cell of every sheet for a workbook).
func outputText(t *testing.T, o outcome, path string) string {
	t.Helper()
	text := o.stdout + "\n" + o.stderr
	if path == "" {
		return text
	}
	if strings.HasSuffix(path, ".xlsx") {
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var b strings.Builder
		for _, sheet := range f.GetSheetList() {
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range rows {
				b.WriteString(strings.Join(row, "\t") + "\n")
			}
		}
		if !strings.Contains(b.String(), "ZQX") && !strings.Contains(b.String(), "anon-") {
			t.Fatalf("%s holds neither names nor pseudonyms: the check reads nothing", path)
		}
		return text + "\n" + b.String()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return text + "\n" + string(data)
}

// TestDeidentifyEveryFormat: with --pseudonymize (key from the flag, then from the
// environment) no format of report or notes carries a name, MRN, birth date or the
// patient's bad email, nor the key; the same report without --pseudonymize does carry
// them (so the check can fail); pseudonyms are the same across formats and key sources.
func TestDeidentifyEveryFormat(t *testing.T) {
	dsn := privacyDB(t)
	runs := []struct {
		args []string
		out  string // --out file, "" for stdout
	}{
		{[]string{"report", "--format", "table"}, ""},
		{[]string{"report", "--format", "json", "--patients"}, ""},
		{[]string{"report", "--format", "csv", "--table", "entities"}, ""},
		{[]string{"report", "--format", "csv", "--table", "issues"}, ""},
		{[]string{"report", "--format", "csv", "--table", "patients"}, ""},
		{[]string{"report", "--format", "xlsx"}, "r.xlsx"},
		{[]string{"report", "--format", "html"}, "r.html"},
		{[]string{"report", "--format", "json", "--patients"}, "r.json"},
		{[]string{"notes", "--format", "table"}, ""},
		{[]string{"notes", "--format", "csv"}, ""},
		{[]string{"notes", "--format", "json"}, "n.json"},
	}
	pseudonyms := map[string]string{} // output → text with the key from the flag
	for _, keyFrom := range []string{"flag", "env", "none"} {
		for _, r := range runs {
			name := keyFrom + " " + strings.Join(r.args, " ")
			a := append(append([]string{r.args[0], "--db", dsn}, smallPeriod...), r.args[1:]...)
			switch keyFrom {
			case "flag":
				a = append(a, "--pseudonymize", "--pseudonymize-key", privacyKey)
			case "env":
				t.Setenv("MIPSPI_PSEUDONYMIZE_KEY", privacyKey)
				a = append(a, "--pseudonymize")
			case "none":
				os.Unsetenv("MIPSPI_PSEUDONYMIZE_KEY")
			}
			if r.out != "" {
				os.Remove(r.out)
				a = append(a, "--out", r.out)
			}
			o := mustRun(t, a...)
			text := outputText(t, o, r.out)
			if strings.Contains(text, privacyKey) {
				t.Errorf("%s: the key appears in the output", name)
			}
			if strings.Contains(o.stderr, "ZQX") {
				t.Errorf("%s: patient data on stderr: %s", name, o.stderr)
			}
			secrets := patientSecrets.FindAllString(text, 3)
			if keyFrom == "none" {
				// Identified reports with a drill-down do name the patients.
				aggregate := r.args[0] == "report" && (r.args[2] == "table" || slices.Contains(r.args, "entities"))
				if !aggregate && len(secrets) == 0 {
					t.Errorf("%s: identified output holds no patient data: the check proves nothing", name)
				}
				if slices.Contains(r.args, "issues") {
					for _, code := range []string{"POSSIBLE_DUPLICATE_PATIENT", "INVALID_EMAIL"} {
						if !strings.Contains(text, code) {
							t.Errorf("%s: no %s row: the free text it hashes is not exercised", name, code)
						}
					}
				}
				continue
			}
			if len(secrets) > 0 {
				t.Errorf("%s: de-identified output holds patient data %q", name, secrets)
			}
			if keyFrom == "flag" {
				pseudonyms[strings.Join(r.args, " ")+r.out] = text
			} else if r.out == "" && pseudonyms[strings.Join(r.args, " ")] != text {
				t.Errorf("%s: differs from the same run with --pseudonymize-key", name)
			}
		}
	}
	// The worksheet's run description names the source but not the key; files stay 0600.
	for _, f := range []string{"r.xlsx", "r.html", "r.json", "n.json"} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", f, err, fi.Mode().Perm())
		}
	}
}

// TestDeidentifyKeyNotInArgsEcho: a usage error in a run with the key never echoes it.
func TestDeidentifyKeyNotInArgsEcho(t *testing.T) {
	dsn := privacyDB(t)
	for _, a := range [][]string{
		{"report", "--db", dsn, "--from", "2025-01-01", "--to", "2025-12-31", "--pseudonymize", "--pseudonymize-key", privacyKey, "--format", "pdf"},
		{"report", "--db", dsn, "--from", "2025-01-01", "--to", "2025-12-31", "--pseudonymize", "--pseudonymize-key", privacyKey, "stray"},
		{"notes", "--db", dsn, "--from", "2025-01-01", "--to", "2025-02-30", "--pseudonymize", "--pseudonymize-key", privacyKey},
		{"report", "--db", dsn, "--from", "2025-01-01", "--to", "2025-12-31", "--pseudonymize", "--pseudonymize-key", "Zk9q"},
	} {
		o := mipspi(t, a...)
		if o.code != exitUsage || strings.Contains(o.stdout+o.stderr, privacyKey) || strings.Contains(o.stderr, "Zk9q") {
			t.Errorf("%v: exit %d, stderr %q", a, o.code, o.stderr)
		}
	}
}

// TestExportHoldsNoPatientData: registry files are aggregate (entity figures and the
// practice's attestations), so export has no --pseudonymize: no format carries a patient
// name, MRN, birth date or email.
func TestExportHoldsNoPatientData(t *testing.T) {
	dsn := privacyDB(t)
	if err := os.WriteFile("mipspi.yaml", []byte(demoConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"qpp", "qrda3", "csv"} {
		dir := filepath.Join("export", format)
		o := mipspi(t, args([]string{"export", "--to", format, "--db", dsn, "--config", "mipspi.yaml", "--out", dir, "--force"}, smallPeriod)...)
		if o.code != exitOK && o.code != exitWarned {
			t.Fatalf("export %s: exit %d, stderr %s", format, o.code, o.stderr)
		}
		if strings.Contains(o.stderr, "ZQX") {
			t.Errorf("export %s: patient data on stderr: %s", format, o.stderr)
		}
		names := dirNames(t, dir)
		if len(names) == 0 {
			t.Fatalf("export %s wrote nothing", format)
		}
		for _, n := range names {
			data, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				t.Fatal(err)
			}
			if s := patientSecrets.FindAllString(string(data), 3); len(s) > 0 {
				t.Errorf("export %s: %s holds patient data %q", format, n, s)
			}
			if n != manifestName && !strings.Contains(string(data), "123456789") {
				t.Errorf("export %s: %s does not even name the TIN: the check reads the wrong files", format, n)
			}
		}
	}
}
