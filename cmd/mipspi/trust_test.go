package main

// Evidence an auditor can trust (SPEC §6, §7): no output replaces an input, no input
// path can hang a run, and nothing kept (the evidence store, the EHR, a previous
// output) changes when a run is refused.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun/driver/sqliteshim"
	"github.com/xuri/excelize/v2"
)

// recordedStore makes an evidence store in the current directory with one probe of a
// test EHR and returns its name and a function that fails the test if its bytes changed.
func recordedStore(t *testing.T, name string) (unchanged func(what string)) {
	t.Helper()
	ehr := newTestEHR(t, "smart-v2-openid.json", "capability-r4.json")
	mustRun(t, "api", "check", "--fhir-base", ehr.URL+"/fhir", "--ca", ehr.ca, "--tin", "123456789", "--record", name)
	before, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return func(what string) {
		t.Helper()
		if after, err := os.ReadFile(name); err != nil || !bytes.Equal(after, before) {
			t.Errorf("%s: the evidence store %s changed (%v)", what, name, err)
		}
	}
}

// TestOutNeverReplacesEvidenceOrCA: report --evidence ev.db -o ev.db (or a link to it,
// or its journal) and api check --record onto its own --ca are refused with exit 2
// before anything is read or sent, naming the input.
func TestOutNeverReplacesEvidenceOrCA(t *testing.T) {
	dsn, unchangedEHR := guardFiles(t)
	evUnchanged := recordedStore(t, "ev.db")
	if err := os.Symlink("ev.db", "ev-link.db"); err != nil {
		t.Fatal(err)
	}
	if err := os.Link("ev.db", "ev-hard.db"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("ca.pem", []byte("-----BEGIN CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	isEvidence := func(out string) string {
		return "mipspi: --out " + out + " is the evidence store (--evidence) (ev.db); give another file name\n"
	}
	report := func(out string, more ...string) []string {
		return args([]string{"report", "--db", dsn, "--evidence", "ev.db", "--out", out}, smallPeriod, more)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"report onto its evidence store", report("ev.db"), isEvidence("ev.db")},
		{"report onto ./evidence store, as JSON", report("./ev.db", "-f", "json"), isEvidence("./ev.db")},
		{"report onto a symlink to the evidence store", report("ev-link.db"), isEvidence("ev-link.db")},
		{"report onto a hard link of the evidence store", report("ev-hard.db"), isEvidence("ev-hard.db")},
		{"report onto the evidence store's journal", report("ev.db-journal"),
			"mipspi: --out ev.db-journal is the evidence store's journal file (ev.db-journal); give another file name\n"},
		{"evidence given through a link, out the file", args([]string{"report", "--db", dsn, "--evidence", "ev-link.db", "--out", "ev.db"}, smallPeriod),
			"mipspi: --out ev.db is the evidence store (--evidence) (ev-link.db); give another file name\n"},
		{"api check recording onto its --ca", []string{"api", "check", "--fhir-base", "https://ehr.invalid/fhir", "--ca", "ca.pem", "--record", "./ca.pem"},
			"mipspi: --record ./ca.pem is the certificate authority file (--ca) (ca.pem); give another file name\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := mipspi(t, c.args...)
			checkOutcome(t, c.name, o, exitUsage, c.want)
			unchangedEHR(c.name)
			evUnchanged(c.name)
			if fi, err := os.Lstat("ev-link.db"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the symlink was replaced: %v", err)
			}
			if _, err := os.Stat("ev.db-journal"); err == nil {
				t.Error("a journal appeared")
			}
		})
	}
}

// TestFIFOInputsRefusedAtOnce: a FIFO given as combine's input, --config or --ca is
// refused at once (opening it would wait for a writer forever, deaf to Ctrl-C).
func TestFIFOInputsRefusedAtOnce(t *testing.T) {
	dsn, unchanged := guardFiles(t)
	if err := syscall.Mkfifo("fifo", 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("fifo", "link-to-fifo"); err != nil {
		t.Fatal(err)
	}
	const notRegular = "is not a regular file (a FIFO, device or socket); mipspi reads only regular files\n"
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"combine input", []string{"combine", "fifo"}, exitFail, "mipspi: fifo: " + notRegular},
		{"combine input through a link", []string{"combine", "-o", "out.csv", "link-to-fifo"}, exitFail, "mipspi: link-to-fifo: " + notRegular},
		{"combine --config", []string{"combine", "--config", "fifo", "a.json"}, exitUsage, "mipspi: config fifo: " + notRegular},
		{"report --config", args([]string{"report", "--db", dsn, "--config", "fifo"}, smallPeriod), exitUsage, "mipspi: config fifo: " + notRegular},
		{"api check --ca", []string{"api", "check", "--fhir-base", "https://ehr.invalid/fhir", "--ca", "fifo"}, exitUsage, "mipspi: --ca fifo: " + notRegular},
		{"api check --ca a directory", []string{"api", "check", "--fhir-base", "https://ehr.invalid/fhir", "--ca", "."}, exitUsage, "mipspi: --ca .: is a directory\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan outcome, 1)
			go func() { done <- mipspiCtx(t, ctx, c.args...) }()
			select {
			case o := <-done:
				checkOutcome(t, c.name, o, c.code, c.want)
			case <-time.After(20 * time.Second):
				// Unblock the open so the test can end, then fail.
				if f, err := os.OpenFile("fifo", os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
					f.Close()
				}
				t.Fatalf("%s: still running after 20 s: a FIFO input hangs", c.name)
			}
			unchanged(c.name)
			if _, err := os.Stat("out.csv"); err == nil {
				t.Error("an output appeared")
			}
		})
	}
}

// evidenceJSON is the api_evidence part of a JSON report.
type evidenceJSON struct {
	APIEvidence struct {
		TINs []struct {
			Probes, Passing int
		} `json:"tins"`
		Chain struct {
			Rows       int      `json:"rows"`
			Unchained  int      `json:"unchained"`
			HeadRow    int64    `json:"head_row"`
			HeadAt     string   `json:"head_at"`
			HeadSHA256 string   `json:"head_sha256"`
			Problems   int      `json:"problems"`
			Named      []string `json:"named"`
		} `json:"chain"`
	} `json:"api_evidence"`
	Findings []struct {
		Code, Severity, Message string
	} `json:"findings"`
}

// TestReportEvidenceChain: report --evidence verifies the store's chain and prints its
// head in every format, without changing the store; a forged store is named
// (API_EVIDENCE_BROKEN) with the break.
func TestReportEvidenceChain(t *testing.T) {
	dsn, unchangedEHR := guardFiles(t)
	ehr := newTestEHR(t, "smart-v2-openid.json", "capability-r4.json")
	for range 3 {
		mustRun(t, "api", "check", "--fhir-base", ehr.URL+"/fhir", "--ca", ehr.ca, "--tin", "12-3456789", "--record", "ev.db")
	}
	before, _ := os.ReadFile("ev.db")
	period := []string{"--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2025-07-09T00:00:00Z"}
	o := mustRun(t, args([]string{"report", "--db", dsn, "--evidence", "ev.db", "-f", "json"}, period)...)
	var rep evidenceJSON
	if err := json.Unmarshal([]byte(o.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	ch := rep.APIEvidence.Chain
	if ch.Rows != 3 || ch.Problems != 0 || ch.HeadRow != 3 || len(ch.HeadSHA256) != 64 || ch.HeadAt != "2025-07-08T17:00:00Z" {
		t.Fatalf("chain: %+v", ch)
	}
	// The TIN recorded as 12-3456789 is the report's 123456789 (SPEC §3).
	if tins := rep.APIEvidence.TINs; len(tins) != 1 || tins[0].Probes != 3 {
		t.Errorf("evidence TINs: %+v", tins)
	}
	head := "row 3, 2025-07-08T17:00:00Z, sha256 " + ch.HeadSHA256
	for _, f := range []struct {
		format string
		want   []string
	}{
		{"table", []string{"  Chain: holds; 3 rows\n", "  Chain head (keep it with this report): " + head + "\n"}},
		{"html", []string{`<p class="chain">Chain holds; 3 rows.</p>`, "Chain head (keep it with this report): <code>" + head + "</code>"}},
	} {
		o := mustRun(t, args([]string{"report", "--db", dsn, "--evidence", "ev.db", "-f", f.format}, period)...)
		for _, w := range f.want {
			if !strings.Contains(o.stdout, w) {
				t.Errorf("%s lacks %q", f.format, w)
			}
		}
	}
	o = mustRun(t, args([]string{"report", "--db", dsn, "--evidence", "ev.db", "-f", "csv", "--table", "evidence"}, period)...)
	if !strings.HasSuffix(strings.TrimSpace(o.stdout), ",3,0,3,2025-07-08T17:00:00Z,"+ch.HeadSHA256) {
		t.Errorf("csv evidence:\n%s", o.stdout)
	}
	mustRun(t, args([]string{"report", "--db", dsn, "--evidence", "ev.db", "-f", "xlsx", "-o", "r.xlsx"}, period)...)
	wb, err := excelize.OpenFile("r.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := wb.GetCellValue("API evidence", "A3"); v != "Chain holds; 3 rows. Head (keep it with this report): "+head {
		t.Errorf("workbook A3 = %q", v)
	}
	wb.Close()
	if after, _ := os.ReadFile("ev.db"); !bytes.Equal(after, before) {
		t.Error("report --evidence changed the evidence store")
	}

	// A failing probe flipped to a pass after dropping the trigger: named, exit 0, the
	// report still written, nothing else changed.
	rawSQL(t, "ev.db", `DROP TRIGGER probes_no_update`, `UPDATE probes SET ok = 0, failed = 'x' WHERE id = 2`)
	forged, _ := os.ReadFile("ev.db")
	o = mipspi(t, args([]string{"report", "--db", dsn, "--evidence", "ev.db", "-f", "json"}, period)...)
	if o.code != 0 {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	rep = evidenceJSON{}
	if err := json.Unmarshal([]byte(o.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	wantNamed := []string{
		"the append-only trigger probes_no_update is missing: rows could be changed or deleted without an error",
		"row 2 (2025-07-08T17:00:00.000Z) does not match its chain link: changed, inserted or moved after it was written",
	}
	if got := rep.APIEvidence.Chain; got.Problems != 2 || strings.Join(got.Named, "\n") != strings.Join(wantNamed, "\n") {
		t.Errorf("chain: %+v", got)
	}
	wantMsg := "the evidence store ev.db fails its check (2 problems), so its probes cannot be trusted as they stand: " + strings.Join(wantNamed, "; ")
	found := false
	for _, f := range rep.Findings {
		if f.Code == "API_EVIDENCE_BROKEN" {
			found = f.Severity == "error" && f.Message == wantMsg
		}
	}
	if !found {
		t.Errorf("findings: %+v\nwant API_EVIDENCE_BROKEN (error): %s", rep.Findings, wantMsg)
	}
	if !strings.Contains(o.stderr, "API_EVIDENCE_BROKEN") {
		t.Errorf("stderr lacks the finding: %s", o.stderr)
	}
	o = mustRun(t, args([]string{"report", "--db", dsn, "--evidence", "ev.db"}, period)...)
	if !strings.Contains(o.stdout, "  Chain: BROKEN: 2 problems (API_EVIDENCE_BROKEN); 3 rows\n    the append-only trigger probes_no_update is missing") {
		t.Errorf("table:\n%s", o.stdout)
	}
	if after, _ := os.ReadFile("ev.db"); !bytes.Equal(after, forged) {
		t.Error("report --evidence changed the evidence store")
	}
	unchangedEHR("report --evidence")
}

// rawSQL changes a SQLite file as anyone with sqlite3 could, outside mipspi.
func rawSQL(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open(sqliteshim.ShimName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestAPICheckRecordsControlCharacters: a NUL or escape sequence in what the server sends
// (software.name, a grant type) no longer stops the probe from being recorded (SPEC §6):
// the probe is stored, with the characters replaced, and the report counts it.
func TestAPICheckRecordsControlCharacters(t *testing.T) {
	dsn, unchangedEHR := guardFiles(t)
	smart, _ := os.ReadFile(filepath.Join(fhirTestdata, "smart-v2.json"))
	capb, _ := os.ReadFile(filepath.Join(fhirTestdata, "capability-r4.json"))
	smartDoc := strings.Replace(string(smart), `"authorization_code"`, `"authorization_code", "\u0000'); DROP TABLE probes; --"`, 1)
	capDoc := strings.Replace(string(capb), `"name": "Example EHR FHIR Server"`, `"name": "Acme\u0000EHR\u001b[2J"`, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/fhir/.well-known/smart-configuration":
			w.Write([]byte(smartDoc))
		case "/fhir/metadata":
			w.Write([]byte(capDoc))
		default:
			http.NotFound(w, r)
		}
	}))
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)

	o := mipspi(t, "api", "check", "--fhir-base", srv.URL+"/fhir", "--ca", ca, "--tin", "123456789", "--record", "ev.db")
	if o.code != 0 || o.stderr != "mipspi: recorded in ev.db\n" {
		t.Fatalf("exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	if !strings.Contains(o.stdout, "Example EHR") && !strings.Contains(o.stdout, "Acme\uFFFDEHR\uFFFD[2J") {
		t.Errorf("stdout:\n%s", o.stdout)
	}
	db, err := sql.Open(sqliteshim.ShimName, "file:ev.db?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var software, checks string
	if err := db.QueryRow(`SELECT software, checks FROM probe_checks`).Scan(&software, &checks); err != nil {
		t.Fatal(err)
	}
	if software != "Acme\uFFFDEHR\uFFFD[2J" || strings.ContainsRune(checks, 0) {
		t.Errorf("stored software %q", software)
	}
	o = mustRun(t, args([]string{"report", "--db", dsn, "--evidence", "ev.db", "-f", "json"}, []string{"--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2025-07-09T00:00:00Z"})...)
	var rep evidenceJSON
	if err := json.Unmarshal([]byte(o.stdout), &rep); err != nil || len(rep.APIEvidence.TINs) != 1 || rep.APIEvidence.TINs[0].Probes != 1 || rep.APIEvidence.Chain.Problems != 0 {
		t.Errorf("report: %+v %v", rep.APIEvidence, err)
	}
	unchangedEHR("api check with control characters")
}

// TestReportRemovesKilledRunLeftover: kill -9 during report -o F leaves .F.tmp-DIGITS
// (mode 0600, unlocked: its writer is gone); the next report -o F removes it, and only
// it: a file of the same look but another mode, name or owner's lock stays.
func TestReportRemovesKilledRunLeftover(t *testing.T) {
	dsn, unchanged := guardFiles(t)
	for name, mode := range map[string]os.FileMode{".r.csv.tmp-2718281828": 0o600, ".r.csv.tmp-31415": 0o644, ".r.csv.tmp-1x": 0o600, ".other.csv.tmp-1": 0o600} {
		if err := os.WriteFile(name, []byte("patient data of a killed run"), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(name, mode)
	}
	o := mipspi(t, args([]string{"report", "--db", dsn, "-f", "csv", "-o", "r.csv", "--quiet"}, smallPeriod)...)
	checkOutcome(t, "report -o r.csv", o, exitOK, "")
	left, _ := filepath.Glob(".*.tmp-*")
	want := []string{".other.csv.tmp-1", ".r.csv.tmp-1x", ".r.csv.tmp-31415"}
	if strings.Join(left, " ") != strings.Join(want, " ") {
		t.Errorf("left %v, want %v", left, want)
	}
	if fi, err := os.Stat("r.csv"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("r.csv: %v %v", fi, err)
	}
	unchanged("report -o r.csv")
}

// TestFHIRBaseNeverEchoesPassword: the reproduction and its neighbours, exit 2,
// the exact message, no password.
func TestFHIRBaseNeverEchoesPassword(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, c := range []struct{ base, want string }{
		{"ftp://alice:S3cretPW@host/x", "mipspi: --fhir-base: the URL carries a user name or password; the probe never sends credentials, so leave them out\n"},
		{"https://alice:S3cretPW/x", "mipspi: --fhir-base: not a URL that can be read (e.g. https://ehr.example.com/fhir/r4)\n"},
		{"alice:S3cretPW@ehr.example.com/fhir", "mipspi: --fhir-base: want an https:// URL, not one of scheme \"alice\" (e.g. https://ehr.example.com/fhir/r4)\n"},
	} {
		o := mipspi(t, "api", "check", "--fhir-base", c.base)
		checkOutcome(t, c.base, o, exitUsage, c.want)
	}
	if _, err := os.Stat("ev.db"); err == nil {
		t.Error("something was written")
	}
}

// TestREADMEExampleKeysRefused: the pseudonymisation keys the README once printed are
// refused (anyone could recompute their pseudonyms, and the report's key id shows them),
// and neither the README nor docs/ prints one any more.
func TestREADMEExampleKeysRefused(t *testing.T) {
	dsn, unchanged := guardFiles(t)
	for _, k := range documentedKeys {
		o := mipspi(t, args([]string{"report", "--db", dsn, "--pseudonymize", "--pseudonymize-key", k, "-o", "prev.csv"}, smallPeriod)...)
		checkOutcome(t, k, o, exitUsage, "mipspi: --pseudonymize-key is an example printed in mipspi's README: anyone can recompute its pseudonyms, and the key id in the report shows it was used; make a key of your own (openssl rand -base64 32) and share it privately\n")
		unchanged(k)
	}
	for _, page := range docPages(t) {
		text, err := os.ReadFile(filepath.Join(repoRoot, page))
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range documentedKeys {
			if strings.Contains(string(text), k) {
				t.Errorf("%s prints the key %q as an example", page, k)
			}
		}
	}
}
