package main

// Tests of what a clerk can upload without fear (SPEC §4): refusals with their exact
// messages and nothing written, --force with its marks, a folder holding one export
// replaced whole even when the run is killed, and the manifest an auditor reads.

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// folderState is every file in dir with its bytes ("" → absent).
func folderState(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// leftovers are the staging folders beside reg in the current directory.
func leftovers(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, n := range dirNames(t, ".") {
		if strings.HasPrefix(n, ".reg.mipspi-") {
			out = append(out, n)
		}
	}
	return out
}

func readManifestFile(t *testing.T, dir string) exportManifest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		t.Fatal(err)
	}
	var m exportManifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestExportRefusals: each refusal exits with its code and exact message and writes
// nothing: a CEHRT ID the documentation shows (exit 1), figures that are still
// provisional (exit 1), a file in --out that is not part of a previous export, or one
// changed since it was written (exit 2, before the database is read).
func TestExportRefusals(t *testing.T) {
	dsn, cfg := demoDB(t)
	practice, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, "example.yaml", strings.Replace(string(practice), "cehrt_id: 0015CFRONTRANGE", "cehrt_id: 0015C8BCD9876ZZ", 1))
	export := func(config string, extra ...string) []string {
		return args([]string{"export", "--to", "csv", "--db", dsn, "--config", config, "--out", "reg", "-q"}, demoPeriod, extra)
	}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"example CEHRT ID", export("example.yaml"), exitFail,
			"mipspi: error: TIN 742345678: registry.tins.742345678.cehrt_id 0015C8BCD9876ZZ is the example in mipspi's documentation, not the practice's CMS EHR Certification ID: copy the practice's own from CHPL\n" +
				"mipspi: export: 1 validation error(s) above; nothing written (--force writes anyway)\n"},
		{"provisional as-of", export(cfg, "--as-of", "2025-11-30"), exitFail,
			"mipspi: the figures are PROVISIONAL: as of 2025-11-30, a visit can still become timely until 2025-12-31, so every figure can still change\n" +
				"mipspi: export: refused: the figures are PROVISIONAL as of 2025-11-30; nothing written (--force writes them marked PROVISIONAL)\n"},
		{"provisional on the last day", export(cfg, "--as-of", "2025-12-31T20:00:00Z"), exitFail,
			"mipspi: the figures are PROVISIONAL: as of 2025-12-31, a visit can still become timely until 2025-12-31, so every figure can still change\n" +
				"mipspi: export: refused: the figures are PROVISIONAL as of 2025-12-31; nothing written (--force writes them marked PROVISIONAL)\n"},
		{"provisional and an example CEHRT ID", export("example.yaml", "--as-of", "2025-11-30"), exitFail,
			"mipspi: error: TIN 742345678: registry.tins.742345678.cehrt_id 0015C8BCD9876ZZ is the example in mipspi's documentation, not the practice's CMS EHR Certification ID: copy the practice's own from CHPL\n" +
				"mipspi: the figures are PROVISIONAL: as of 2025-11-30, a visit can still become timely until 2025-12-31, so every figure can still change\n" +
				"mipspi: export: refused: the figures are PROVISIONAL as of 2025-11-30 and 1 validation error(s) above; nothing written (--force writes anyway)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOutcome(t, tc.name, mipspi(t, tc.args...), tc.code, tc.stderr)
			if _, err := os.Stat("reg"); !os.IsNotExist(err) {
				t.Errorf("reg/ exists after a refused export")
			}
			if l := leftovers(t); len(l) > 0 {
				t.Errorf("left %v", l)
			}
		})
	}

	t.Run("calendar-year numerator actions stay provisional to Dec 31", func(t *testing.T) {
		writeFile(t, "calyear.yaml", "numerator_actions: calendar-year\n"+string(practice))
		o := mipspi(t, args([]string{"export", "--to", "csv", "--db", dsn, "--config", "calyear.yaml", "--out", "reg", "-q"},
			[]string{"--from", "2025-01-01", "--to", "2025-06-30", "--as-of", "2025-08-01"})...)
		checkOutcome(t, "calendar-year", o, exitFail,
			"mipspi: the figures are PROVISIONAL: as of 2025-08-01, a visit can still become timely until 2025-12-31, so every figure can still change\n"+
				"mipspi: export: refused: the figures are PROVISIONAL as of 2025-08-01; nothing written (--force writes them marked PROVISIONAL)\n")
	})

	t.Run("files that are not one export", func(t *testing.T) {
		if err := os.Mkdir("reg", 0o700); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join("reg", "notes.txt"), "the clerk's notes")
		checkOutcome(t, "foreign file", mipspi(t, export(cfg)...), exitUsage,
			"mipspi: --out reg holds notes.txt and no mipspi export: a folder holds one export, which the next export replaces whole: move it away or give another --out\n")
		if err := os.Remove(filepath.Join("reg", "notes.txt")); err != nil {
			t.Fatal(err)
		}
		mustRun(t, export(cfg)...)
		before := folderState(t, "reg")
		writeFile(t, filepath.Join("reg", "qpp-361234567-group.json"), "{}")
		writeFile(t, filepath.Join("reg", "October.csv"), "old")
		checkOutcome(t, "file beside an export", mipspi(t, export(cfg)...), exitUsage,
			"mipspi: --out reg holds October.csv and qpp-361234567-group.json, which the mipspi export there does not list: a folder holds one export, which the next export replaces whole: move it away or give another --out\n")
		os.Remove(filepath.Join("reg", "qpp-361234567-group.json"))
		os.Remove(filepath.Join("reg", "October.csv"))
		writeFile(t, filepath.Join("reg", "registry.csv"), before["registry.csv"]+"extra,row\n")
		checkOutcome(t, "changed file", mipspi(t, export(cfg)...), exitUsage,
			"mipspi: --out reg: registry.csv changed since mipspi wrote it (the SHA-256 in mipspi-manifest.json differs): a folder holds one export, which the next export replaces whole: move it away or give another --out\n")
		writeFile(t, filepath.Join("reg", manifestName), `{"tool": "other"}`)
		checkOutcome(t, "foreign manifest", mipspi(t, export(cfg)...), exitUsage,
			`mipspi: --out reg holds mipspi-manifest.json, which is not a mipspi export manifest (no "tool": "mipspi"); a folder holds one export, which the next export replaces whole: move it away or give another --out`+"\n")
		if err := os.RemoveAll("reg"); err != nil {
			t.Fatal(err)
		}
		cwd, _ := os.Getwd()
		checkOutcome(t, "the current directory", mipspi(t, args([]string{"export", "--to", "csv", "--db", dsn, "--config", cfg, "--out", cwd, "-q"}, demoPeriod)...), exitUsage,
			"mipspi: --out "+cwd+" is the current directory or holds it: an export replaces its folder whole; give a folder of its own (e.g. --out registry)\n")
	})
}

// TestExportForced: --force writes past each refusal with exit 3 and marks what it
// overrode: PROVISIONAL on stderr, in the manifest and on every keying-CSV row, which
// also carries the period and the as-of; the example CEHRT ID in the manifest's list.
func TestExportForced(t *testing.T) {
	dsn, cfg := demoDB(t)
	o := mipspi(t, args([]string{"export", "--to", "csv", "--db", dsn, "--config", cfg, "--out", "reg", "-q", "--force"},
		[]string{"--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2025-11-30"})...)
	// -q: only what --force overrode is said.
	checkOutcome(t, "--force provisional", o, exitWarned,
		"mipspi: WARNING: --force: writing PROVISIONAL figures: as of 2025-11-30, a visit can still become timely until 2025-12-31, so every figure can still change\n")
	m := readManifestFile(t, "reg")
	if !m.Forced || !m.Provisional || m.Status != "PROVISIONAL as of 2025-11-30" || m.AsOf != "2025-11-30" {
		t.Errorf("manifest forced %v, provisional %v, status %q, as_of %q", m.Forced, m.Provisional, m.Status, m.AsOf)
	}
	data, err := os.ReadFile(filepath.Join("reg", "registry.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 13 {
		t.Fatalf("%d rows, want the header and 12 entities", len(rows))
	}
	for _, row := range rows[1:] {
		if got := strings.Join(row[4:8], ","); got != "PROVISIONAL as of 2025-11-30,2025-01-01,2025-12-31,2025-11-30" {
			t.Errorf("row %v: status, period and as-of %q", row[:4], got)
		}
	}
	// Without -q the end line says it too.
	os.RemoveAll("reg")
	o = mipspi(t, args([]string{"export", "--to", "qpp", "--db", dsn, "--config", cfg, "--out", "reg", "--force"},
		[]string{"--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2025-11-30"})...)
	if want := "mipspi: wrote 12 qpp file(s) PROVISIONAL as of 2025-11-30 to reg with 0 validation error(s) (--force) and 0 warning(s); they are listed in reg/mipspi-manifest.json\n"; o.code != exitWarned || !strings.HasSuffix(o.stderr, want) {
		t.Errorf("exit %d, stderr\n%s\nwant it to end with\n%s", o.code, o.stderr, want)
	}

	// The example CEHRT ID, forced: written, and the manifest lists the error.
	practice, _ := os.ReadFile(cfg)
	writeFile(t, "example.yaml", strings.Replace(string(practice), "cehrt_id: 0015CLAKESIDE01", "cehrt_id: 0015C8BCD1234XY", 1))
	os.RemoveAll("reg")
	o = mipspi(t, args([]string{"export", "--to", "qpp", "--db", dsn, "--config", "example.yaml", "--out", "reg", "-q", "--force"}, demoPeriod)...)
	if o.code != exitWarned {
		t.Fatalf("--force example CEHRT ID: exit %d\n%s", o.code, o.stderr)
	}
	m = readManifestFile(t, "reg")
	if !m.Forced || m.Provisional || m.Status != "final as of 2026-01-15" ||
		!slices.Contains(m.Validation, "error: TIN 361234567: registry.tins.361234567.cehrt_id 0015C8BCD1234XY is the example in mipspi's documentation, not the practice's CMS EHR Certification ID: copy the practice's own from CHPL") {
		t.Errorf("manifest forced %v, provisional %v, status %q, validation %q", m.Forced, m.Provisional, m.Status, m.Validation)
	}
	if b, _ := os.ReadFile(filepath.Join("reg", "qpp-361234567-group.json")); !strings.Contains(string(b), `"cehrtId": "0015C8BCD1234XY"`) {
		t.Errorf("forced file does not carry the CEHRT ID it was given:\n%s", b)
	}
}

// TestExportWarnings: answers a clerk must look at before uploading are written with
// exit 3 and listed: clinicians whose files hold the TIN's counts, an example count,
// keys that match nothing.
func TestExportWarnings(t *testing.T) {
	dsn, cfg := demoDB(t)
	practice, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	text := string(practice)
	// TIN 742345678's clinicians lose their own counts; one clinician's count becomes
	// the SPEC's example; a TIN and an NPI that the practice does not have.
	text = text[:strings.Index(text, "      npis:\n        \"1088264514\"")]
	text = strings.Replace(text, "\"1298765433\": {measures: {PI_EP_1: {numerator: 101, denominator: 117}", "\"1298765433\": {measures: {PI_EP_1: {numerator: 30, denominator: 31}", 1)
	line := strconv.Itoa(strings.Count(text, "\n") + 1)
	text += "    \"12-3456789\": {cehrt_id: 0015CAB12CD34EF}\n"
	writeFile(t, "warn.yaml", text)
	o := mipspi(t, args([]string{"export", "--to", "qrda3", "--db", dsn, "--config", "warn.yaml", "--out", "reg", "-q"}, demoPeriod)...)
	checkOutcome(t, "warnings", o, exitWarned, "")
	m := readManifestFile(t, "reg")
	want := []string{
		"warning: registry.tins.361234567.npis.1298765433.measures.PI_EP_1: {numerator: 30, denominator: 31} is the example in mipspi's documentation: check that it is the practice's own count",
		"warning: registry.tins.123456789 (line " + line + ") matches no TIN in the report: its answers go into no file",
	}
	for _, npi := range []string{"1088264514 (Reyes, Logan)", "1177483926 (Moreau, Kendall)", "1458390261 (Yamamoto, Harper)", "1633904754 (Patel, Jordan)"} {
		want = append(want, "warning: TIN 742345678 NPI "+npi+": PI_EP_1, PI_HIE_1, PI_HIE_4 are not the clinician's own counts but those in registry.tins.742345678.measures: set the clinician's under registry.tins.742345678.npis."+npi[:10]+".measures")
	}
	if diff := cmp.Diff(want, m.Validation); diff != "" {
		t.Errorf("manifest validation (-want +got):\n%s", diff)
	}
	if len(dirNames(t, "reg")) != 13 {
		t.Errorf("reg holds %v", dirNames(t, "reg"))
	}
	// The report, whose estimate reads the same answers, says of the key too.
	o = mipspi(t, args([]string{"report", "--db", dsn, "--config", "warn.yaml", "--format", "json"}, demoPeriod)...)
	if o.code != exitOK || !strings.Contains(o.stderr, "mipspi: "+want[1]+"\n") {
		t.Errorf("report: exit %d, stderr\n%s", o.code, o.stderr)
	}
}

// TestExportManifest: the manifest says what an auditor needs to trace every figure:
// the filters, the configuration's SHA-256 and the settings in force, the version, and
// per file its entity, its figures and where each answer came from.
func TestExportManifest(t *testing.T) {
	dsn, cfg := demoDB(t)
	mustRun(t, args([]string{"export", "--to", "qpp", "--db", dsn, "--config", cfg, "--out", "reg", "-q", "--tin", "74-2345678", "--npi", "1088264514"}, demoPeriod)...)
	m := readManifestFile(t, "reg")
	raw, _ := os.ReadFile(cfg)
	sum := sha256.Sum256(raw)
	if m.Filters.TIN != "742345678" || m.Filters.NPI != "1088264514" || m.Config == nil || m.Config.File != cfg || m.Config.SHA256 != hex.EncodeToString(sum[:]) || m.Version != version {
		t.Errorf("filters %+v, config %+v, version %q", m.Filters, m.Config, m.Version)
	}
	wantSettings := manifestSettings{Policy: "every-visit", Release: "lock", NumeratorActions: "period",
		SeenStatuses: []string{"Arrived", "Checked In", "Checked In Online", "In Room", "In Session", "Complete"},
		Holidays:     "federal", Closures: []string{}}
	if diff := cmp.Diff(wantSettings, m.Settings); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	if len(m.Files) != 1 || m.Files[0].Name != "qpp-742345678-1088264514.json" || len(m.Files[0].Entities) != 1 {
		t.Fatalf("files %+v", m.Files)
	}
	e := m.Files[0].Entities[0]
	if e.Level != "individual" || e.TIN != "742345678" || e.NPI != "1088264514" || e.Clinician != "Reyes, Logan" ||
		e.Numerator != 34 || e.Denominator != 43 || e.PEAPoints != 20 || e.PEAMaxPoints != 25 ||
		e.CEHRTID != "0015CFRONTRANGE" || e.CEHRTIDFrom != "registry.tins.742345678.cehrt_id" {
		t.Errorf("entity %+v", e)
	}
	from := map[string]string{}
	for _, a := range e.Answers {
		from[a.MeasureID] = a.From
	}
	const own, practice = "registry.tins.742345678.npis.1088264514.measures", "registry.measures"
	wantFrom := map[string]string{"PI_EP_1": own, "PI_HIE_1": own, "PI_HIE_4": own, "PI_EP_2": practice, "PI_INFBLO_1": practice,
		"PI_ONCDIR_1": practice, "PI_PHCDRR_1": practice, "PI_PHCDRR_3": practice, "PI_PPHI_1": practice, "PI_PPHI_2": practice}
	if diff := cmp.Diff(wantFrom, from); diff != "" {
		t.Errorf("answer sources (-want +got):\n%s", diff)
	}
	// The file itself carries those answers.
	b, _ := os.ReadFile(filepath.Join("reg", m.Files[0].Name))
	if !strings.Contains(string(b), `"cehrtId": "0015CFRONTRANGE"`) || !strings.Contains(string(b), "\"numerator\": 98,\n") {
		t.Errorf("%s:\n%s", m.Files[0].Name, b)
	}
}

// TestExportReplacesFolder: a folder holding an earlier export holds exactly the new set
// after the next, whatever the earlier held (the stale October files never stay).
func TestExportReplacesFolder(t *testing.T) {
	dsn, cfg := demoDB(t)
	run := func(format, entity string) {
		t.Helper()
		mustRun(t, args([]string{"export", "--to", format, "--entity", entity, "--db", dsn, "--config", cfg, "--out", "reg", "-q"}, demoPeriod)...)
	}
	run("qpp", "all")
	if n := len(dirNames(t, "reg")); n != 13 {
		t.Fatalf("first export: %d files", n)
	}
	if err := os.Chmod("reg", 0o750); err != nil {
		t.Fatal(err)
	}
	run("qpp", "group")
	if diff := cmp.Diff([]string{manifestName, "qpp-361234567-group.json", "qpp-742345678-group.json"}, dirNames(t, "reg")); diff != "" {
		t.Errorf("after a group export (-want +got):\n%s", diff)
	}
	if fi, _ := os.Stat("reg"); fi.Mode().Perm() != 0o750 {
		t.Errorf("reg mode %v, want the folder's 0750 kept", fi.Mode().Perm())
	}
	run("csv", "individual")
	if diff := cmp.Diff([]string{manifestName, "registry.csv"}, dirNames(t, "reg")); diff != "" {
		t.Errorf("after a csv export (-want +got):\n%s", diff)
	}
	m := readManifestFile(t, "reg")
	if len(m.Files) != 1 || len(m.Files[0].Entities) != 10 {
		t.Errorf("manifest files %+v", m.Files)
	}
	if l := leftovers(t); len(l) > 0 {
		t.Errorf("left %v", l)
	}
	// Through a symbolic link the folder it names is replaced, the link kept.
	if runtime.GOOS != "windows" {
		if err := os.Symlink("reg", "link"); err != nil {
			t.Fatal(err)
		}
		mustRun(t, args([]string{"export", "--to", "qpp", "--entity", "group", "--db", dsn, "--config", cfg, "--out", "link", "-q"}, demoPeriod)...)
		if fi, err := os.Lstat("link"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("link replaced: %v", err)
		}
		if n := len(dirNames(t, "reg")); n != 3 {
			t.Errorf("reg holds %v", dirNames(t, "reg"))
		}
	}
}

// TestExportReplacesWithoutExchange: where the file system cannot exchange two names,
// the earlier set is moved aside, the new one moved in and the earlier one removed, with
// the same result; a probe file a killed run left in the folder goes with the old set.
func TestExportReplacesWithoutExchange(t *testing.T) {
	exchange = func(a, b string) error { return errNoExchange }
	defer func() { exchange = exchangeDirs }()
	steps := 0
	exportCommitHook = func(step string) {
		if step == "swapped" {
			steps++
			if l := leftovers(t); len(l) != 1 || !strings.Contains(l[0], ".mipspi-old-") {
				t.Errorf("while swapping: %v, want the old set aside", l)
			}
		}
	}
	defer func() { exportCommitHook = nil }()
	dsn, cfg := demoDB(t)
	run := func(entity string) {
		t.Helper()
		mustRun(t, args([]string{"export", "--to", "qpp", "--entity", entity, "--db", dsn, "--config", cfg, "--out", "reg", "-q"}, demoPeriod)...)
	}
	run("all")
	writeFile(t, filepath.Join("reg", ".mipspi-probe-123"), "")
	run("group")
	if diff := cmp.Diff([]string{manifestName, "qpp-361234567-group.json", "qpp-742345678-group.json"}, dirNames(t, "reg")); diff != "" || steps != 1 {
		t.Errorf("after %d swaps (-want +got):\n%s", steps, diff)
	}
	if l := leftovers(t); len(l) > 0 {
		t.Errorf("left %v", l)
	}
}

// TestExportLeftovers: a killed export's leftovers beside --out are removed by the next
// export once it has checked they are mipspi's; a folder that holds anything else, or
// that a running export holds locked, is left alone.
func TestExportLeftovers(t *testing.T) {
	dsn, cfg := demoDB(t)
	mk := func(name string, files ...string) {
		t.Helper()
		if err := os.Mkdir(name, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			writeFile(t, filepath.Join(name, f), "x")
		}
	}
	mk(".reg.mipspi-tmp-111", "qpp-361234567-group.json", manifestName, ".registry.csv.tmp-4242")
	mk(".reg.mipspi-old-222", "registry.csv")
	mk(".reg.mipspi-tmp-333", "registry.csv", "notes.txt")
	mk(".reg.mipspi-tmp-444", "registry.csv")
	mk(".other.mipspi-tmp-555", "registry.csv")
	unlock, busy, err := lockDir(".reg.mipspi-tmp-444") // an export at work
	if err != nil || busy {
		t.Fatal(err, busy)
	}
	defer unlock()
	o := mipspi(t, args([]string{"export", "--to", "qpp", "--entity", "group", "--db", dsn, "--config", cfg, "--out", "reg", "-q"}, demoPeriod)...)
	cwd, _ := os.Getwd()
	if cwd, err = filepath.EvalSymlinks(cwd); err != nil {
		t.Fatal(err)
	}
	checkOutcome(t, "export beside leftovers", o, exitOK,
		"mipspi: left "+filepath.Join(cwd, ".reg.mipspi-tmp-333")+" in place: it looks like a killed export's leftover but it holds notes.txt, which mipspi does not write; remove it yourself once you know what it is\n")
	if diff := cmp.Diff([]string{".reg.mipspi-tmp-333", ".reg.mipspi-tmp-444"}, leftovers(t)); diff != "" {
		t.Errorf("leftovers (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(".other.mipspi-tmp-555"); err != nil {
		t.Errorf("another folder's leftover removed: %v", err)
	}
}

// TestExportKilledChild is the export TestExportKilled kills: it runs only in the child
// process, stopping at the commit step MIPSPI_TEST_KILL_AT until it is killed.
func TestExportKilledChild(t *testing.T) {
	step := os.Getenv("MIPSPI_TEST_KILL_AT")
	if step == "" {
		t.Skip("the child process of TestExportKilled")
	}
	exportCommitHook = func(s string) {
		if s == step {
			if err := os.WriteFile(os.Getenv("MIPSPI_TEST_READY"), []byte(s), 0o600); err != nil {
				panic(err)
			}
			time.Sleep(time.Hour) // SIGKILL comes first
		}
	}
	var a []string
	if err := json.Unmarshal([]byte(os.Getenv("MIPSPI_TEST_ARGS")), &a); err != nil {
		t.Fatal(err)
	}
	o := mipspi(t, a...)
	t.Fatalf("not killed at %s: exit %d\n%s", step, o.code, o.stderr)
}

// TestExportKilled: an export killed (SIGKILL) between writing the new set and moving
// it in leaves the old set in --out untouched; killed after the move, the new set whole;
// either way the next export removes the leftover and leaves exactly its own set.
func TestExportKilled(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL")
	}
	dsn, cfg := demoDB(t)
	cwd, _ := os.Getwd()
	export := func(entity string) []string {
		return args([]string{"export", "--to", "qpp", "--entity", entity, "--db", dsn, "--config", cfg, "--out", "reg", "-q"}, demoPeriod)
	}
	for _, step := range []string{"staged", "swapped"} {
		t.Run(step, func(t *testing.T) {
			os.RemoveAll("reg")
			mustRun(t, export("all")...)
			old := folderState(t, "reg")
			ready := filepath.Join(cwd, "ready-"+step)
			cmd := exec.Command(os.Args[0], "-test.run=^TestExportKilledChild$", "-test.count=1")
			cmd.Dir = cwd
			cmd.Env = append(os.Environ(), "MIPSPI_TEST_KILL_AT="+step, "MIPSPI_TEST_READY="+ready,
				"MIPSPI_TEST_ARGS="+string(mustJSON(t, export("group"))))
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(2 * time.Minute)
			for {
				if _, err := os.Stat(ready); err == nil {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("the child never reached %s:\n%s", step, out.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()

			got := folderState(t, "reg")
			if step == "staged" {
				if diff := cmp.Diff(old, got); diff != "" {
					t.Errorf("killed before the move: reg changed (-old +got):\n%s", diff)
				}
			} else {
				m := readManifestFile(t, "reg")
				want := []string{manifestName, "qpp-361234567-group.json", "qpp-742345678-group.json"}
				if diff := cmp.Diff(want, dirNames(t, "reg")); diff != "" || m.Entity != "group" {
					t.Errorf("killed after the move: reg is not the new set (-want +got):\n%s", diff)
				}
			}
			if l := leftovers(t); len(l) != 1 {
				t.Errorf("leftovers after the kill: %v, want the one staging folder", l)
			}

			// The next export cleans the leftover and leaves exactly its own set.
			mustRun(t, export("individual")...)
			if l := leftovers(t); len(l) != 0 {
				t.Errorf("leftovers after the next export: %v", l)
			}
			m := readManifestFile(t, "reg")
			names := dirNames(t, "reg")
			if m.Entity != "individual" || len(names) != 11 || len(m.Files) != 10 {
				t.Errorf("after the next export: entity %s, files %v", m.Entity, names)
			}
			for _, f := range m.Files {
				if !slices.Contains(names, f.Name) {
					t.Errorf("manifest lists %s, not in reg", f.Name)
				}
			}
		})
	}
}

// TestExportAnswersOnDisk: the files export writes carry each entity's own answers
// (SPEC §4), read back from disk in every format: a clinician's own counts, a group's
// TIN counts, each TIN's CEHRT ID.
func TestExportAnswersOnDisk(t *testing.T) {
	dsn, cfg := demoDB(t)
	for _, format := range []string{"qpp", "qrda3", "csv"} {
		mustRun(t, args([]string{"export", "--to", format, "--db", dsn, "--config", cfg, "--out", format, "-q"}, demoPeriod)...)
	}
	read := func(path string) string {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, tc := range []struct {
		file, cehrt string
		ep          [2]string
	}{
		{"742345678-1088264514", "0015CFRONTRANGE", [2]string{"98", "113"}},
		{"742345678-group", "0015CFRONTRANGE", [2]string{"377", "431"}},
		{"361234567-1458390261", "0015CLAKESIDE01", [2]string{"122", "139"}},
		{"361234567-group", "0015CLAKESIDE01", [2]string{"611", "702"}},
	} {
		q := read(filepath.Join("qpp", "qpp-"+tc.file+".json"))
		if !strings.Contains(q, `"cehrtId": "`+tc.cehrt+`"`) ||
			!strings.Contains(q, "\"measureId\": \"PI_EP_1\",\n          \"value\": {\n            \"numerator\": "+tc.ep[0]+",\n            \"denominator\": "+tc.ep[1]+"\n") {
			t.Errorf("qpp-%s.json lacks CEHRT ID %s or PI_EP_1 %s/%s:\n%s", tc.file, tc.cehrt, tc.ep[0], tc.ep[1], q)
		}
		x := read(filepath.Join("qrda3", "qrda3-"+tc.file+".xml"))
		if !strings.Contains(x, `extension="`+tc.cehrt+`"`) || !strings.Contains(x, "<td>PI_EP_1</td>") ||
			!strings.Contains(x, "numerator "+tc.ep[0]+", denominator "+tc.ep[1]) {
			t.Errorf("qrda3-%s.xml lacks CEHRT ID %s or PI_EP_1 %s/%s", tc.file, tc.cehrt, tc.ep[0], tc.ep[1])
		}
	}
	rows, err := csv.NewReader(strings.NewReader(read(filepath.Join("csv", "registry.csv")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	got := map[string]string{}
	for _, r := range rows[1:] {
		who := r[col["tin"]] + "-" + r[col["npi"]]
		got[who] = r[col["cehrt_id"]] + " " + r[col["PI_EP_1_numerator"]] + "/" + r[col["PI_EP_1_denominator"]] + " " + r[col["PI_PPHI_1"]]
	}
	for who, want := range map[string]string{
		"742345678-1088264514": "0015CFRONTRANGE 98/113 yes", "742345678-": "0015CFRONTRANGE 377/431 yes",
		"361234567-1458390261": "0015CLAKESIDE01 122/139 yes", "361234567-": "0015CLAKESIDE01 611/702 yes",
		"742345678-1458390261": "0015CFRONTRANGE 99/112 yes",
	} {
		if got[who] != want {
			t.Errorf("registry.csv %s: %q, want %q", who, got[who], want)
		}
	}
}
