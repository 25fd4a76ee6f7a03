package measure

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ruleCase is one scenario: a configuration and practice tweak, the patients, and the
// whole expected entity table, issue rows and findings.
type ruleCase struct {
	name     string
	cfg      func(*Config)
	practice func(*Practice)
	recs     []PatientRecord
	want     view
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, p := testConfig(), testPractice()
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			if c.practice != nil {
				c.practice(&p)
			}
			got := viewOf(mustEvaluate(t, cfg, p, c.recs...))
			if diff := cmp.Diff(c.want, got, cmpOpts...); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func asOf(s string) func(*Config) { return func(c *Config) { c.AsOf = ny(s) } }

func windows(ws ...APIWindow) func(*Practice) {
	return func(p *Practice) { p.APIWindows = ws }
}

// TestReleaseAndNotes covers R4 (lock vs sign release, addenda, missing notes) and
// the note rows of R10.
func TestReleaseAndNotes(t *testing.T) {
	visit := ny("2025-03-03 10:00:00") // Monday; deadline Fri 2025-03-07
	sign := func(c *Config) { c.Release = ReleaseSign }
	runRuleCases(t, []ruleCase{
		{
			name: "lock release: locked in time",
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, lockedAt(ny("2025-03-04 09:00:00"))))},
			want: view{Entities: annAlone(1, 0, 1, 1, 1, 0)},
		},
		{
			name: "lock release: signed but never locked",
			cfg:  asOf("2025-03-12 12:00:00"),
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, signedOnly(ny("2025-03-04 09:00:00"))))},
			want: view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Issues:   []Issue{row(NoteNotLocked, 1, 7, "2025-03-03", "2025-03-07", bdays(3))},
				Findings: annZero(),
			},
		},
		{
			name: "lock release: not signed",
			cfg:  asOf("2025-03-12 12:00:00"),
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, Notes{Count: 1}))},
			want: view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Issues:   []Issue{row(NoteUnsigned, 1, 7, "2025-03-03", "2025-03-07", bdays(3))},
				Findings: annZero(),
			},
		},
		{
			name: "no note at all",
			cfg:  asOf("2025-03-12 12:00:00"),
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, Notes{}))},
			want: view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Issues:   []Issue{row(NoteMissing, 1, 7, "2025-03-03", "2025-03-07", bdays(3))},
				Findings: annZero(),
			},
		},
		{
			name: "lock release: locked late",
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, lockedAt(ny("2025-03-12 09:00:00"))))},
			want: view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Issues:   []Issue{row(NoteLockedLate, 1, 7, "2025-03-03", "2025-03-07", event("2025-03-12"), bdays(3))},
				Findings: annZero(),
			},
		},
		{
			name: "sign release: signed in time, never locked, is timely",
			cfg:  sign,
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, signedOnly(ny("2025-03-04 09:00:00"))))},
			want: view{Entities: annAlone(1, 0, 1, 1, 1, 0)},
		},
		{
			name: "sign release: signed late although locked in time elsewhere is ignored",
			cfg:  sign,
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit,
				Notes{Count: 1, FirstSigned: ny("2025-03-10 08:00:00"), FirstLocked: ny("2025-03-04 08:00:00")}))},
			want: view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Issues:   []Issue{row(NoteSignedLate, 1, 7, "2025-03-03", "2025-03-07", event("2025-03-10"), bdays(1))},
				Findings: annZero(),
			},
		},
		{
			name: "sign release: not signed",
			cfg:  func(c *Config) { sign(c); asOf("2025-03-12 12:00:00")(c) },
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, Notes{Count: 1}))},
			want: view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Issues:   []Issue{row(NoteUnsigned, 1, 7, "2025-03-03", "2025-03-07", bdays(3))},
				Findings: annZero(),
			},
		},
		{
			// The database summarises notes by their earliest lock: an addendum locked
			// after the deadline does not move the release (R4).
			name: "addendum after the first lock",
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit,
				Notes{Count: 2, FirstSigned: ny("2025-03-04 09:00:00"), FirstLocked: ny("2025-03-05 09:00:00")}))},
			want: view{Entities: annAlone(1, 0, 1, 1, 1, 0)},
		},
		{
			name: "note locked before the visit: access before the visit is timely, with a warning",
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, lockedAt(ny("2025-03-02 18:00:00"))))},
			want: view{
				Entities: annAlone(1, 0, 1, 1, 1, 0),
				Issues:   []Issue{row(LockBeforeVisit, 1, 7, "2025-03-03", "2025-03-07", warning(), event("2025-03-02"))},
			},
		},
	})
}

// TestInvitations covers R5 and its rows.
func TestInvitations(t *testing.T) {
	visit := ny("2025-03-03 10:00:00") // deadline 2025-03-07
	lock := lockedAt(ny("2025-03-04 09:00:00"))
	noEmail := func(r PatientRecord) PatientRecord { r.Patient.Email = ""; return r }
	runRuleCases(t, []ruleCase{
		{
			name: "invitation years before the period",
			recs: []PatientRecord{patientRec(1, &Invitation{ID: 1, SentAt: utc("2012-05-01T12:00:00Z"), Recipient: "patient", Channel: "email"},
				seen(7, visit, lock))},
			want: view{Entities: annAlone(1, 0, 1, 1, 1, 0)},
		},
		{
			name: "representative handed printed instructions in time",
			recs: []PatientRecord{patientRec(1, &Invitation{ID: 1, SentAt: ny("2025-03-06 16:00:00"), Recipient: "representative", Channel: "printed"},
				seen(7, visit, lock))},
			want: view{Entities: annAlone(1, 0, 1, 1, 1, 0)},
		},
		{
			name: "representative and printed, first invitation late",
			recs: []PatientRecord{patientRec(1, &Invitation{ID: 1, SentAt: ny("2025-03-12 16:00:00"), Recipient: "representative", Channel: "printed"},
				seen(7, visit, lock))},
			want: view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Issues:   []Issue{row(InvitedLate, 1, 7, "2025-03-03", "2025-03-07", event("2025-03-12"), bdays(3), via("representative", "printed"))},
				Findings: annZero(),
			},
		},
		{
			name: "never invited, usable email on file",
			cfg:  asOf("2025-03-12 12:00:00"),
			recs: []PatientRecord{patientRec(1, nil, seen(7, visit, lock))},
			want: view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Issues:   []Issue{row(NotInvited, 1, 7, "2025-03-03", "2025-03-07", bdays(3), hasEmail())},
				Findings: annZero(),
			},
		},
		{
			name: "never invited, no email on file",
			cfg:  asOf("2025-03-12 12:00:00"),
			recs: []PatientRecord{noEmail(patientRec(1, nil, seen(7, visit, lock)))},
			want: view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Issues:   []Issue{row(NotInvited, 1, 7, "2025-03-03", "2025-03-07", bdays(3))},
				Findings: annZero(),
			},
		},
	})
}

// TestAPIAndAccess covers R6/R7: API windows, the access instant and the bound on
// numerator actions, and their rows.
func TestAPIAndAccess(t *testing.T) {
	visit := ny("2025-03-03 10:00:00") // deadline 2025-03-07
	lock := lockedAt(ny("2025-03-04 09:00:00"))
	neverMsg := "the patient API was never enabled for TIN " + tinA + " as of 2026-03-02T12:00:00Z: no visit under this TIN can be timely"
	bWindow := APIWindow{ID: 2, TIN: tinB, Enabled: utc("2020-01-01T00:00:00Z")}
	june := func(c *Config) { c.End = day("2025-06-30") }
	calYear := func(c *Config) { c.NumeratorActions = ActionsCalendarYear }
	runRuleCases(t, []ruleCase{
		{
			name:     "API window opens after the visit, before the deadline",
			practice: windows(APIWindow{ID: 1, TIN: tinA, Enabled: ny("2025-03-06 08:00:00")}, bWindow),
			recs:     []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, lock))},
			want:     view{Entities: annAlone(1, 0, 1, 1, 1, 0)},
		},
		{
			name:     "API window opens after the deadline",
			practice: windows(APIWindow{ID: 1, TIN: tinA, Enabled: ny("2025-03-10 08:00:00")}, bWindow),
			recs:     []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, lock))},
			want: view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Issues:   []Issue{row(APINotEnabled, 1, 7, "2025-03-03", "2025-03-07", event("2025-03-10"), bdays(1))},
				Findings: annZero(),
			},
		},
		{
			name: "API window closed before the visit and not reopened",
			cfg:  asOf("2025-03-12 12:00:00"),
			practice: windows(APIWindow{ID: 1, TIN: tinA, Enabled: utc("2020-01-01T00:00:00Z"), Disabled: utc("2024-12-31T00:00:00Z")},
				bWindow),
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, lock))},
			want: view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Issues:   []Issue{row(APINotEnabled, 1, 7, "2025-03-03", "2025-03-07", bdays(3))},
				Findings: annZero(),
			},
		},
		{
			name: "API switched off over the release and back on in time",
			practice: windows(
				APIWindow{ID: 1, TIN: tinA, Enabled: utc("2020-01-01T00:00:00Z"), Disabled: ny("2025-03-04 08:00:00")},
				APIWindow{ID: 3, TIN: tinA, Enabled: ny("2025-03-07 17:00:00")}, bWindow),
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, lock))},
			want: view{Entities: annAlone(1, 0, 1, 1, 1, 0)},
		},
		{
			name:     "API never enabled: one finding, no rows",
			cfg:      asOf("2025-03-12 12:00:00"),
			practice: windows(bWindow),
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, lock)),
				patientRec(2, nil, seen(8, visit, lockedAt(ny("2025-03-04 09:00:00"))))},
			want: view{
				Entities: []EntityResult{
					ent(Individual, tinA, npiAnn, 2, 0, 0, 0, 2, 0, 0, 0, 0),
					ent(Group, tinA, "", 2, 0, 0, 0, 2, 0, 0, 0, 0),
				},
				Issues: []Issue{row(NotInvited, 2, 8, "2025-03-03", "2025-03-07", hasEmail(), bdays(3))},
				Findings: []Finding{
					{Code: APINeverEnabled, Severity: SeverityError, TIN: tinA, Message: strings.Replace(neverMsg, "2026-03-02T12:00:00Z", "2025-03-12T16:00:00Z", 1)},
					numZero(tinA, npiAnn, 2), numZero(tinA, "", 2),
				},
			},
		},
		{
			name:     "API window enabled only after the as-of instant counts as never enabled",
			practice: windows(APIWindow{ID: 1, TIN: tinA, Enabled: utc("2026-04-01T00:00:00Z")}, bWindow),
			recs:     []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, lock))},
			want: view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Findings: append([]Finding{{Code: APINeverEnabled, Severity: SeverityError, TIN: tinA, Message: neverMsg}}, annZero()...),
			},
		},
		{
			name: "period's last day, access after it (numerator actions: period)",
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, ny("2025-12-29 10:00:00"), lockedAt(ny("2026-01-02 10:00:00"))))},
			want: view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Issues:   []Issue{row(AccessAfterPeriod, 1, 7, "2025-12-29", "2026-01-05", event("2026-01-02"), bound("2025-12-31"), fixByOn("2025-12-31"))},
				Findings: annZero(),
			},
		},
		{
			name: "period's last day, access after it (calendar-year: same bound when the period ends Dec 31)",
			cfg:  calYear,
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, ny("2025-12-29 10:00:00"), lockedAt(ny("2026-01-02 10:00:00"))))},
			want: view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Issues:   []Issue{row(AccessAfterPeriod, 1, 7, "2025-12-29", "2026-01-05", event("2026-01-02"), bound("2025-12-31"), calendarYear(), fixByOn("2025-12-31"))},
				Findings: annZero(),
			},
		},
		{
			name: "period ending June 30, access July 2 (numerator actions: period)",
			cfg:  june,
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, ny("2025-06-30 10:00:00"), lockedAt(ny("2025-07-02 10:00:00"))))},
			want: view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Issues:   []Issue{row(AccessAfterPeriod, 1, 7, "2025-06-30", "2025-07-07", event("2025-07-02"), bound("2025-06-30"), fixByOn("2025-06-30"))},
				Findings: annZero(),
			},
		},
		{
			name: "period ending June 30, access July 2 (numerator actions: calendar-year)",
			cfg:  func(c *Config) { june(c); calYear(c) },
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, ny("2025-06-30 10:00:00"), lockedAt(ny("2025-07-02 10:00:00"))))},
			want: view{Entities: annAlone(1, 0, 1, 1, 1, 0)},
		},
	})
}

// TestPendingAndAsOf covers R9 and the as-of rule: deadline on the as-of date is
// pending, the day before is failed, and events after as-of have not happened.
func TestPendingAndAsOf(t *testing.T) {
	visit := ny("2025-03-04 10:00:00") // Tuesday; deadline Mon 2025-03-10
	runRuleCases(t, []ruleCase{
		{
			name: "deadline equals the as-of date: pending",
			cfg:  asOf("2025-03-10 12:00:00"),
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, Notes{}))},
			want: view{
				Entities: annAlone(0, 1, 1, 1, 0, 1),
				Issues:   []Issue{row(NoteMissing, 1, 7, "2025-03-04", "2025-03-10", fixable(), countsIfLocked(), bdays(0))},
				Findings: annZero(),
			},
		},
		{
			name: "deadline the day before the as-of date: failed",
			cfg:  asOf("2025-03-11 12:00:00"),
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, Notes{}))},
			want: view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Issues:   []Issue{row(NoteMissing, 1, 7, "2025-03-04", "2025-03-10", bdays(1))},
				Findings: annZero(),
			},
		},
		{
			name: "as-of 23:30 local on the deadline (already the next day in UTC): pending",
			cfg:  func(c *Config) { c.AsOf = utc("2025-03-11T03:30:00Z") },
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, Notes{}))},
			want: view{
				Entities: annAlone(0, 1, 1, 1, 0, 1),
				Issues:   []Issue{row(NoteMissing, 1, 7, "2025-03-04", "2025-03-10", fixable(), countsIfLocked(), bdays(0))},
				Findings: annZero(),
			},
		},
		{
			name: "pending note and no invitation: locking alone would not count",
			cfg:  asOf("2025-03-06 12:00:00"),
			recs: []PatientRecord{patientRec(1, nil, seen(7, visit, Notes{Count: 1}))},
			want: view{
				Entities: annAlone(0, 1, 0, 1, 0, 1),
				Issues: []Issue{
					row(NoteUnsigned, 1, 7, "2025-03-04", "2025-03-10", fixable(), bdays(2)),
					row(NotInvited, 1, 7, "2025-03-04", "2025-03-10", fixable(), bdays(2), hasEmail()),
				},
				Findings: annZero(),
			},
		},
		{
			name: "lock stamped after as-of has not happened yet",
			cfg:  asOf("2025-03-05 20:00:00"),
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit,
				Notes{Count: 1, FirstSigned: ny("2025-03-05 09:00:00"), FirstLocked: ny("2025-03-06 09:00:00")}))},
			want: view{
				Entities: annAlone(0, 1, 1, 1, 0, 1),
				Issues:   []Issue{row(NoteNotLocked, 1, 7, "2025-03-04", "2025-03-10", fixable(), countsIfLocked(), bdays(3))},
				Findings: annZero(),
			},
		},
		{
			name: "invitation stamped after as-of has not happened yet",
			cfg:  asOf("2025-03-05 20:00:00"),
			recs: []PatientRecord{patientRec(1, &Invitation{ID: 1, SentAt: ny("2025-03-06 09:00:00"), Recipient: "patient", Channel: "email"},
				seen(7, visit, lockedAt(ny("2025-03-05 09:00:00"))))},
			want: view{
				Entities: annAlone(0, 1, 0, 1, 0, 1),
				Issues:   []Issue{row(NotInvited, 1, 7, "2025-03-04", "2025-03-10", fixable(), bdays(3), hasEmail())},
				Findings: annZero(),
			},
		},
		{
			name: "a seen visit later on the as-of day counts by its status (R1)",
			cfg:  asOf("2025-03-06 12:00:00"),
			recs: []PatientRecord{patientRec(1, invitedLongAgo(),
				seen(7, visit, lockedAt(ny("2025-03-05 09:00:00"))),
				seen(8, ny("2025-03-06 12:00:01"), Notes{}))},
			want: view{
				Entities: annAlone(0, 1, 1, 2, 1, 1),
				Issues:   []Issue{row(NoteMissing, 1, 8, "2025-03-06", "2025-03-12", fixable(), countsIfLocked(), bdays(4))},
				Findings: annZero(),
			},
		},
		{
			name: "a visit scheduled exactly at as-of has happened",
			cfg:  asOf("2025-03-06 12:00:00"),
			recs: []PatientRecord{patientRec(1, invitedLongAgo(),
				seen(7, visit, lockedAt(ny("2025-03-05 09:00:00"))),
				seen(8, ny("2025-03-06 12:00:00"), Notes{}))},
			want: view{
				Entities: annAlone(0, 1, 1, 2, 1, 1),
				Issues:   []Issue{row(NoteMissing, 1, 8, "2025-03-06", "2025-03-12", fixable(), countsIfLocked(), bdays(4))},
				Findings: annZero(),
			},
		},
		{
			name: "the same data as of a later date is timely",
			cfg:  asOf("2025-03-20 12:00:00"),
			recs: []PatientRecord{patientRec(1, &Invitation{ID: 1, SentAt: ny("2025-03-06 09:00:00"), Recipient: "patient", Channel: "email"},
				seen(7, visit, lockedAt(ny("2025-03-05 09:00:00"))))},
			want: view{Entities: annAlone(1, 0, 1, 1, 1, 0)},
		},
		{
			name: "API disabled after as-of is still open as of then",
			cfg:  asOf("2025-03-05 20:00:00"),
			practice: windows(APIWindow{ID: 1, TIN: tinA, Enabled: utc("2020-01-01T00:00:00Z"), Disabled: ny("2025-03-05 21:00:00")},
				APIWindow{ID: 2, TIN: tinB, Enabled: utc("2020-01-01T00:00:00Z")}),
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, visit, Notes{Count: 1, FirstSigned: ny("2025-03-05 09:00:00")}))},
			want: view{
				Entities: annAlone(0, 1, 1, 1, 0, 1),
				Issues:   []Issue{row(NoteNotLocked, 1, 7, "2025-03-04", "2025-03-10", fixable(), countsIfLocked(), bdays(3))},
				Findings: annZero(),
			},
		},
	})
}
