package main

// The schedules the documentation shows are checked as cron and systemd would read them
// (docs/development.md): every crontab line field by field, in the format its file has
// (a user's crontab: five time fields; /etc/cron.d and /etc/crontab: a user field after
// them), and every systemd unit with systemd-analyze verify, plus what verify lets pass:
// a shell's $ that systemd would expand itself, a % that is not %%, a failure counted as
// success.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	cronEnvLine = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*\s*=`)
	cronUser    = regexp.MustCompile(`^[a-z_][a-z0-9_-]*$`)
	cronNames   = map[int][]string{
		3: {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"},
		4: {"sun", "mon", "tue", "wed", "thu", "fri", "sat"},
	}
	cronRanges = [5][2]int{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}}
)

// cronValue reads one value of time field i (a number or, for months and weekdays, a name).
func cronValue(i int, s string) (int, error) {
	for n, name := range cronNames[i] {
		if strings.EqualFold(s, name) {
			if i == 3 {
				return n + 1, nil
			}
			return n, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < cronRanges[i][0] || v > cronRanges[i][1] {
		return 0, fmt.Errorf("%q is not in %d-%d", s, cronRanges[i][0], cronRanges[i][1])
	}
	return v, nil
}

// cronField checks time field i: *, */N, A, A-B, A-B/N, and lists of them.
func cronField(i int, field string) error {
	for _, part := range strings.Split(field, ",") {
		rng, step, hasStep := strings.Cut(part, "/")
		if hasStep {
			if n, err := strconv.Atoi(step); err != nil || n < 1 {
				return fmt.Errorf("step %q", step)
			}
		}
		if rng == "*" {
			continue
		}
		lo, hi, isRange := strings.Cut(rng, "-")
		a, err := cronValue(i, lo)
		if err != nil {
			return err
		}
		if isRange {
			b, err := cronValue(i, hi)
			if err != nil {
				return err
			}
			if b < a {
				return fmt.Errorf("range %s runs backwards", rng)
			}
		} else if hasStep {
			return fmt.Errorf("%q: a step needs * or a range", part)
		}
	}
	return nil
}

// checkCrontab checks a crontab's text; system is true for /etc/crontab and /etc/cron.d
// files (a user field after the time fields). It returns one message per problem.
func checkCrontab(text string, system bool) []string {
	var problems []string
	jobs := 0
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || cronEnvLine.MatchString(line) {
			continue
		}
		jobs++
		where := fmt.Sprintf("line %d", n+1)
		fields := strings.Fields(line)
		nTime := 5
		if strings.HasPrefix(fields[0], "@") {
			nTime = 1
			switch fields[0] {
			case "@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly":
			default:
				problems = append(problems, fmt.Sprintf("%s: unknown %s", where, fields[0]))
			}
		}
		want := nTime + 1
		if system {
			want++
		}
		if len(fields) < want {
			problems = append(problems, fmt.Sprintf("%s: %d fields, want the time, %sa command", where, len(fields), map[bool]string{true: "a user, ", false: ""}[system]))
			continue
		}
		if nTime == 5 {
			for i := 0; i < 5; i++ {
				if err := cronField(i, fields[i]); err != nil {
					problems = append(problems, fmt.Sprintf("%s: field %d %q: %v", where, i+1, fields[i], err))
				}
			}
		}
		rest := fields[nTime:]
		if system {
			if !cronUser.MatchString(rest[0]) {
				problems = append(problems, fmt.Sprintf("%s: %q is not a user name (a system crontab has a user field after the time)", where, rest[0]))
			}
			rest = rest[1:]
		}
		// cron's PATH is short: the documentation names programs by absolute path, which
		// also tells a user field put into a user's crontab (and the reverse) apart.
		if !strings.HasPrefix(rest[0], "/") {
			problems = append(problems, fmt.Sprintf("%s: the command %q is not an absolute path (a user field in a user's crontab?)", where, rest[0]))
		}
		command := strings.Join(rest, " ")
		if i := regexp.MustCompile(`(^|[^\\])%`).FindStringIndex(command); i != nil {
			problems = append(problems, fmt.Sprintf("%s: an unescaped %% (cron makes it a newline; write \\%%)", where))
		}
	}
	if jobs == 0 {
		problems = append(problems, "no job line")
	}
	return problems
}

func TestCheckCrontab(t *testing.T) {
	for _, tc := range []struct {
		name   string
		text   string
		system bool
		bad    bool
	}{
		{"user line", "0 6 2 * * /usr/local/bin/mipspi version", false, false},
		{"system line", "0 6 2 * * mipspi /usr/local/bin/mipspi version", true, false},
		{"env, names, steps, lists", "MAILTO=it@example.org\n*/15 8-18/2 1,15 jan-jun mon-fri /bin/true", false, false},
		{"@hourly", "@hourly /bin/true", false, false},
		{"user field in a user's crontab", "0 6 2 * * mipspi /usr/local/bin/mipspi version", false, true},
		{"no user field in /etc/cron.d", "0 6 2 * * /usr/local/bin/mipspi version", true, true},
		{"minute 60", "60 * * * * /bin/true", false, true},
		{"day 0", "0 6 0 * * /bin/true", false, true},
		{"backwards range", "0 18-8 * * * /bin/true", false, true},
		{"four time fields", "0 6 2 * /bin/true", false, true},
		{"unescaped %", "0 6 2 * * /bin/date +%F", false, true},
		{"escaped %", `0 6 2 * * /bin/date +\%F`, false, false},
		{"unknown @", "@fortnightly /bin/true", false, true},
		{"comments only", "# nothing", false, true},
	} {
		if got := checkCrontab(tc.text, tc.system); (len(got) > 0) != tc.bad {
			t.Errorf("%s: problems %q, want bad=%v", tc.name, got, tc.bad)
		}
	}
}

// systemdUnit is one unit file of an ini block: "# /etc/systemd/system/NAME" opens it.
type systemdUnit struct {
	name, text string
}

func unitsOf(b docBlock) ([]systemdUnit, error) {
	var units []systemdUnit
	for _, line := range strings.Split(b.body, "\n") {
		if p, ok := strings.CutPrefix(line, "# /etc/systemd/system/"); ok {
			units = append(units, systemdUnit{name: strings.TrimSpace(p)})
			continue
		}
		if len(units) == 0 {
			if strings.TrimSpace(line) != "" {
				return nil, fmt.Errorf("%s: an ini block opens with its file: # /etc/systemd/system/NAME", b)
			}
			continue
		}
		units[len(units)-1].text += line + "\n"
	}
	if len(units) == 0 {
		return nil, fmt.Errorf("%s: no unit", b)
	}
	return units, nil
}

// unitSections are the keys the documentation's units may use, per section; anything
// else is a typo systemd would only warn of.
var unitSections = map[string][]string{
	"Unit":    {"Description", "Wants", "After", "Requires", "OnFailure", "Documentation"},
	"Service": {"Type", "User", "Group", "SupplementaryGroups", "Environment", "EnvironmentFile", "ExecStart", "StateDirectory", "StateDirectoryMode", "LogsDirectory", "LogsDirectoryMode", "StandardOutput", "StandardError", "SuccessExitStatus", "PrivateTmp", "UMask", "TimeoutStartSec", "WorkingDirectory"},
	"Timer":   {"OnCalendar", "Persistent", "RandomizedDelaySec", "OnBootSec", "OnUnitActiveSec", "AccuracySec"},
	"Install": {"WantedBy"},
}

var (
	unitShellDollar = regexp.MustCompile(`\$(\{?)([A-Za-z_][A-Za-z0-9_]*)`)
	unitPercent     = regexp.MustCompile(`%[^%]`)
)

// checkUnit parses a unit as systemd would and returns what verify does not catch.
func checkUnit(u systemdUnit) []string {
	var problems []string
	section := ""
	env := map[string]bool{}
	var execs []string
	for n, line := range strings.Split(u.text, "\n") {
		line = strings.TrimSpace(line)
		where := fmt.Sprintf("%s line %d", u.name, n+1)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
			continue
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
			if _, ok := unitSections[section]; !ok {
				problems = append(problems, fmt.Sprintf("%s: unknown section [%s]", where, section))
			}
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || section == "" {
			problems = append(problems, fmt.Sprintf("%s: %q is not KEY=VALUE in a section", where, line))
			continue
		}
		if !contains(unitSections[section], key) {
			problems = append(problems, fmt.Sprintf("%s: unknown key %s in [%s]", where, key, section))
		}
		switch key {
		case "Environment":
			for _, kv := range strings.Fields(value) {
				name, _, _ := strings.Cut(kv, "=")
				env[name] = true
			}
		case "ExecStart":
			execs = append(execs, value)
		case "SuccessExitStatus":
			for _, c := range strings.Fields(value) {
				if c == "1" || c == "2" {
					problems = append(problems, fmt.Sprintf("%s: SuccessExitStatus=%s makes a failed run (exit 1 or 2) a success", where, c))
				}
			}
		}
	}
	for _, e := range execs {
		plain := strings.ReplaceAll(e, "$$", "")
		for _, m := range unitShellDollar.FindAllStringSubmatch(plain, -1) {
			if !env[m[2]] {
				problems = append(problems, fmt.Sprintf("%s: ExecStart's $%s is expanded by systemd itself (to nothing: it is not in Environment=); a shell's $ is written $$", u.name, m[2]))
			}
		}
		if unitPercent.MatchString(strings.ReplaceAll(e, "%%", "")) {
			problems = append(problems, fmt.Sprintf("%s: ExecStart has a %% that is not %%%% (systemd reads %%X as a specifier)", u.name))
		}
	}
	return problems
}

func TestCheckUnit(t *testing.T) {
	good := "[Service]\nType=oneshot\nEnvironment=A=1\nExecStart=/bin/sh -c 'y=$$(date +%%Y); echo $$y $A'\n"
	if p := checkUnit(systemdUnit{"good.service", good}); len(p) > 0 {
		t.Errorf("good unit: %q", p)
	}
	for name, text := range map[string]string{
		"shell $ not doubled":   "[Service]\nExecStart=/bin/sh -c 'y=1; echo $y'\n",
		"single %":              "[Service]\nExecStart=/bin/date +%F\n",
		"failure as success":    "[Service]\nExecStart=/bin/true\nSuccessExitStatus=1\n",
		"typo":                  "[Service]\nExecStrat=/bin/true\n",
		"key outside a section": "ExecStart=/bin/true\n",
	} {
		if p := checkUnit(systemdUnit{"bad.service", text}); len(p) == 0 {
			t.Errorf("%s: no problem found", name)
		}
	}
}

// TestDocsSchedules checks every crontab and systemd unit of README.md and docs/*.md.
func TestDocsSchedules(t *testing.T) {
	crontabs, units := 0, 0
	var jobs []scheduledJob
	unitDir := t.TempDir()
	var unitFiles []string
	bin := ""
	for _, page := range docPages(t) {
		for _, b := range docBlocks(t, page) {
			switch b.lang {
			case "crontab", "cron":
				crontabs++
				label := strings.SplitN(b.body, "\n", 2)[0]
				var system bool
				switch {
				case strings.HasPrefix(label, "#") && (strings.Contains(label, "/etc/cron.d/") || strings.Contains(label, "/etc/crontab")):
					system = true
				case strings.HasPrefix(label, "#") && strings.Contains(label, "crontab -"):
					system = false
				default:
					t.Errorf("%s: a crontab block opens with a comment naming its file (# crontab -e as …, or # /etc/cron.d/NAME)", b)
					continue
				}
				for _, p := range checkCrontab(b.body, system) {
					t.Errorf("%s: %s", b, p)
				}
				jobs = append(jobs, cronJobs(b, system)...)
			case "ini":
				us, err := unitsOf(b)
				if err != nil {
					t.Error(err)
					continue
				}
				if bin == "" {
					bin = filepath.Join(buildMipspi(t), "mipspi")
				}
				for _, u := range us {
					units++
					for _, p := range checkUnit(u) {
						t.Errorf("%s: %s", b, p)
					}
					jobs = append(jobs, unitJobs(b, u)...)
					// verify checks that ExecStart's program exists: the binary built here.
					path := filepath.Join(unitDir, u.name)
					if _, err := os.Stat(path); err == nil {
						t.Errorf("%s: unit %s is shown twice with different pages' text", b, u.name)
					}
					writeFileIn(t, unitDir, u.name, []byte(strings.ReplaceAll(u.text, "/usr/local/bin/mipspi", bin)))
					unitFiles = append(unitFiles, path)
				}
			}
		}
	}
	if crontabs < 3 || units < 4 {
		t.Errorf("found %d crontabs and %d units; docs/operations.md and docs/evidence.md show more", crontabs, units)
	}
	runScheduledJobs(t, jobs)
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("systemd-analyze is missing (apt-get install systemd): %v", err)
		}
		t.Skipf("systemd-analyze is missing; the units were parsed only: %v", err)
	}
	out, err := exec.Command(analyze, append([]string{"verify"}, unitFiles...)...).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// scheduledJob is a schedule's command as its shell would run it: cron's \% and systemd's
// %% and $$ undone, with the environment the schedule sets.
type scheduledJob struct {
	where   string
	command string
	env     []string
}

// cronJobs are the job lines of a crontab block, with its NAME=value lines.
func cronJobs(b docBlock, system bool) []scheduledJob {
	var env []string
	var jobs []scheduledJob
	for _, line := range strings.Split(b.body, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case cronEnvLine.MatchString(line):
			env = append(env, line)
		default:
			fields := strings.Fields(line)
			skip := 5
			if system {
				skip = 6
			}
			// The command is the rest of the line after the time (and user) fields.
			rest := line
			for i := 0; i < skip; i++ {
				rest = strings.TrimLeft(rest, " \t")
				rest = rest[len(fields[i]):]
			}
			jobs = append(jobs, scheduledJob{where: b.String(), command: strings.ReplaceAll(strings.TrimSpace(rest), `\%`, "%"), env: env})
		}
	}
	return jobs
}

// unitJobs are a service's ExecStart lines with its Environment=.
func unitJobs(b docBlock, u systemdUnit) []scheduledJob {
	var env []string
	var jobs []scheduledJob
	for _, line := range strings.Split(u.text, "\n") {
		if v, ok := strings.CutPrefix(line, "Environment="); ok {
			env = append(env, strings.Fields(v)...)
		}
		if v, ok := strings.CutPrefix(line, "ExecStart="); ok {
			v = strings.NewReplacer("%%", "%", "$$", "$").Replace(v)
			jobs = append(jobs, scheduledJob{where: b.String() + " " + u.name, command: v})
		}
	}
	for i := range jobs {
		jobs[i].env = env
	}
	return jobs
}

// runScheduledJobs runs the report jobs as their schedule would, on a practice generated
// for the year they report (the year of yesterday), in a scratch folder standing for
// /var/lib/mipspi: the command must exit 0 and leave its workbook, readable by the group
// when it asks for --mode 0640. Jobs that probe the patient API need the practice's FHIR
// server and are only checked above.
func runScheduledJobs(t *testing.T, jobs []scheduledJob) {
	t.Helper()
	ran := 0
	bin := filepath.Join(buildMipspi(t), "mipspi")
	for _, j := range jobs {
		if strings.Contains(j.command, " api check ") {
			continue
		}
		ran++
		dir := t.TempDir()
		year := time.Now().AddDate(0, 0, -1).Format("2006")
		if out, err := exec.Command(bin, "db", "generate", "--db", "sqlite:"+filepath.Join(dir, "ehr.db"), "--year", year,
			"--clinicians", "4", "--patients", "200", "--appointments", "600", "-q").CombinedOutput(); err != nil {
			t.Fatalf("db generate: %v\n%s", err, out)
		}
		writeFileIn(t, dir, "mipspi.yaml", []byte("holidays: federal\n"))
		if err := os.MkdirAll(filepath.Join(dir, "reports"), 0o750); err != nil {
			t.Fatal(err)
		}
		paths := strings.NewReplacer("/usr/local/bin/mipspi", bin, "/var/lib/mipspi", dir, "/etc/mipspi.yaml", filepath.Join(dir, "mipspi.yaml"))
		env := os.Environ()
		for _, kv := range j.env {
			name, _, _ := strings.Cut(kv, "=")
			switch strings.TrimSpace(name) {
			case "MIPSPI_DB":
				env = append(env, "MIPSPI_DB=sqlite:"+filepath.Join(dir, "ehr.db"))
			case "MAILTO":
			default:
				env = append(env, paths.Replace(strings.ReplaceAll(kv, " ", "")))
			}
		}
		cmd := exec.Command("/bin/sh", "-c", paths.Replace(j.command))
		cmd.Env = env
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %s: %v\n%s", j.where, j.command, err, out)
			continue
		}
		var written []string
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".xlsx") {
				written = append(written, p)
			}
			return nil
		})
		if len(written) != 1 {
			t.Errorf("%s: the job wrote %q, want one workbook", j.where, written)
			continue
		}
		fi, err := os.Stat(written[0])
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(j.command, "--mode 0640") && fi.Mode().Perm() != 0o640 {
			t.Errorf("%s: the workbook is %v, want 0640", j.where, fi.Mode().Perm())
		}
	}
	if ran < 3 {
		t.Errorf("ran %d scheduled report jobs; docs/operations.md shows three", ran)
	}
}
